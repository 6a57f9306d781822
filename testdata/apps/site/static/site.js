document.querySelectorAll("time").forEach(function (t) {
  t.title = "published " + t.textContent;
});
