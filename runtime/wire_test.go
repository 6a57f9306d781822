package runtime

import (
	"bytes"
	"errors"
	"net/http"
	"reflect"
	"testing"
)

func sampleRequest() *wireRequest {
	return &wireRequest{
		Fluxion: "getTodo", HasKey: true, Key: "todo/1\x00", Partition: 7, Method: "POST", RequestURI: "/todos/1?x=y", Proto: "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1, Host: "example.com:8080", RemoteAddr: "10.0.0.1:5555",
		Header:        http.Header{"Accept": {"a", "b"}, "X-Empty": {""}},
		ContentLength: -1, TransferEncoding: []string{"chunked"}, TLS: true,
		Deadline: 1_700_000_000_000_000_000, Body: []byte("hello"),
	}
}

func sampleResponse() *wireResponse {
	return &wireResponse{
		Outcome: outcomeOK, Status: 201,
		Header:  http.Header{"Set-Cookie": {"a=1", "b=2"}, "Trailer": {"X-Sum"}},
		Trailer: http.Header{"X-Sum": {"9"}, http.TrailerPrefix + "X-Late": {"z"}},
		Flushed: true, Interim: []interim{{103, http.Header{"Link": {"</a.css>; rel=preload"}}}},
		Body: bytes.Repeat([]byte{0, 1, 2, 255}, 1000),
	}
}

func TestWireRoundTrip(t *testing.T) {
	req := sampleRequest()
	got, err := decodeRequest(appendRequest(nil, req))
	if err != nil || !reflect.DeepEqual(got, req) {
		t.Errorf("request round trip: %v\n got %+v\nwant %+v", err, got, req)
	}
	resp := sampleResponse()
	gotResp, err := decodeResponse(appendResponse(nil, resp))
	if err != nil || !reflect.DeepEqual(gotResp, resp) {
		t.Errorf("response round trip: %v\n got %+v\nwant %+v", err, gotResp, resp)
	}
}

func TestWireRejects(t *testing.T) {
	good := appendRequest(nil, sampleRequest())
	for name, b := range map[string][]byte{
		"empty":     nil,
		"version":   append([]byte{wireVersion + 1}, good[1:]...),
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte{}, good...), 0),
		"huge len":  {wireVersion, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		if _, err := decodeRequest(b); !errors.Is(err, errWire) {
			t.Errorf("%s: err %v, want errWire", name, err)
		}
	}
	bad := appendResponse(nil, &wireResponse{Outcome: outcomeMax})
	if _, err := decodeResponse(bad); !errors.Is(err, errWire) {
		t.Errorf("unknown outcome: err %v", err)
	}
}

// FuzzWireRequest round-trips requests built from arbitrary values.
func FuzzWireRequest(f *testing.F) {
	r := sampleRequest()
	f.Add(r.Fluxion, r.Method, r.RequestURI, r.Host, "Accept", "text/html", int64(-1), true, int64(5), []byte("body"))
	f.Add("", "", "", "", "", "", int64(0), false, int64(0), []byte(nil))
	f.Fuzz(func(t *testing.T, fluxion, method, uri, host, key, value string, length int64, tls bool, deadline int64, body []byte) {
		req := &wireRequest{
			Fluxion: fluxion, Method: method, RequestURI: uri, Host: host,
			Header: http.Header{key: {value, value + "2"}}, ContentLength: length,
			TLS: tls, Deadline: deadline, Body: body,
		}
		got, err := decodeRequest(appendRequest(nil, req))
		if err != nil {
			t.Fatal(err)
		}
		// Decoding yields empty, not nil, bodies; compare them as bytes.
		if !bytes.Equal(got.Body, req.Body) {
			t.Fatalf("body %q, want %q", got.Body, req.Body)
		}
		got.Body = req.Body
		if !reflect.DeepEqual(got, req) {
			t.Fatalf("round trip\n got %+v\nwant %+v", got, req)
		}
	})
}

// FuzzWireResponse round-trips responses built from arbitrary values.
func FuzzWireResponse(f *testing.F) {
	f.Add(uint8(0), 200, "Set-Cookie", "a=1", "X-T", "v", true, []byte("body"))
	f.Fuzz(func(t *testing.T, out uint8, status int, key, value, tkey, tvalue string, flushed bool, body []byte) {
		resp := &wireResponse{
			Outcome: outcome(out % uint8(outcomeMax)), Status: 100 + abs(status)%900,
			Header: http.Header{key: {value}}, Trailer: http.Header{tkey: {tvalue, ""}},
			Flushed: flushed, Body: body,
		}
		got, err := decodeResponse(appendResponse(nil, resp))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Body, resp.Body) {
			t.Fatalf("body %q, want %q", got.Body, resp.Body)
		}
		got.Body = resp.Body
		if !reflect.DeepEqual(got, resp) {
			t.Fatalf("round trip\n got %+v\nwant %+v", got, resp)
		}
	})
}

// FuzzWireDecode feeds arbitrary bytes to both decoders: they may fail,
// but must not panic, and what they accept must encode back to the input
// once canonical.
func FuzzWireDecode(f *testing.F) {
	f.Add(appendRequest(nil, sampleRequest()))
	f.Add(appendResponse(nil, sampleResponse()))
	f.Add([]byte{wireVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		if req, err := decodeRequest(b); err == nil {
			again, err := decodeRequest(appendRequest(nil, req))
			if err != nil {
				t.Fatalf("re-decode request: %v", err)
			}
			again.Body, req.Body = nil, nil
			if !reflect.DeepEqual(normalize(again.Header), normalize(req.Header)) {
				t.Fatalf("request header changed: %v vs %v", again.Header, req.Header)
			}
		}
		if resp, err := decodeResponse(b); err == nil {
			if _, err := decodeResponse(appendResponse(nil, resp)); err != nil {
				t.Fatalf("re-decode response: %v", err)
			}
		}
	})
}

// normalize maps nil value lists to empty ones, which encode alike.
func normalize(h http.Header) http.Header {
	for k, v := range h {
		if v == nil {
			h[k] = []string{}
		}
	}
	return h
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}
