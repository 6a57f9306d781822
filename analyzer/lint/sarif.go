package lint

import (
	"go/token"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// The subset of SARIF 2.1.0 the lint writes: one run, the tool's driver
// with a rule for every code, and one result per finding.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     sarifText    `json:"shortDescription"`
	FullDescription      sarifText    `json:"fullDescription"`
	Help                 sarifText    `json:"help"`
	HelpURI              string       `json:"helpUri"`
	DefaultConfiguration sarifDefault `json:"defaultConfiguration"`
}

type sarifDefault struct {
	Level Level `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        int             `json:"ruleIndex"`
	Level            Level           `json:"level"`
	Message          sarifText       `json:"message"`
	Locations        []sarifLocation `json:"locations"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
}

type sarifLocation struct {
	ID               *int          `json:"id,omitempty"`
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifText    `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// WriteSARIF writes the report as a SARIF 2.1.0 log for code scanning
// (GitHub's upload-sarif among others). Artifact URIs are relative to the
// module root; version is the tool version to record, or "".
func (r *Report) WriteSARIF(w io.Writer, version string) error {
	driver := sarifDriver{Name: "liquefy", Version: version, InformationURI: DocsURL}
	index := map[string]int{}
	for i, rule := range Rules {
		index[rule.Code] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: rule.Code, Name: rule.Name,
			ShortDescription:     sarifText{firstClause(rule.Summary)},
			FullDescription:      sarifText{rule.Summary},
			Help:                 sarifText{rule.Fix},
			HelpURI:              DocsURL + "#" + strings.ToLower(rule.Code),
			DefaultConfiguration: sarifDefault{rule.Level},
		})
	}
	run := sarifRun{Tool: sarifTool{driver}, Results: []sarifResult{}}
	for _, f := range r.Findings {
		res := sarifResult{RuleID: f.Code, RuleIndex: index[f.Code], Level: f.Level,
			Message: sarifText{f.Message}, Locations: []sarifLocation{}}
		if f.Pos.Filename != "" {
			res.Locations = append(res.Locations, location(f.Pos))
		}
		for i, rel := range f.Related {
			if rel.Pos.Filename == "" {
				continue
			}
			loc := location(rel.Pos)
			id := i + 1
			loc.ID, loc.Message = &id, &sarifText{rel.Message}
			res.RelatedLocations = append(res.RelatedLocations, loc)
		}
		run.Results = append(run.Results, res)
	}
	return encode(w, sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

// location returns the SARIF location of pos, a position relative to
// the module root; a file outside the module gets a file URI.
func location(pos token.Position) sarifLocation {
	uri := filepath.ToSlash(pos.Filename)
	if filepath.IsAbs(pos.Filename) {
		uri = (&url.URL{Scheme: "file", Path: uri}).String()
	}
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}}}
	if pos.Line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: pos.Line, StartColumn: pos.Column}
	}
	return loc
}

// firstClause returns s up to its first colon, for a short description.
func firstClause(s string) string {
	head, _, _ := strings.Cut(s, ":")
	return head
}
