// Command vulndb builds an offline Go vulnerability database for
// `govulncheck -db file://DIR` from the OSV files that the golang.org/x/vulndb
// module ships, for machines that reach the Go module proxy but not
// vuln.go.dev.
//
//	go run ./scripts/vulndb -osv "$(go mod download -json golang.org/x/vulndb@VERSION | jq -r .Dir)/data/osv" -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
)

// validID keeps advisory ids from naming paths outside the database.
var validID = regexp.MustCompile(`^GO-\d{4}-\d+$`)

type osv struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type vulnEntry struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

type moduleEntry struct {
	Path  string      `json:"path"`
	Vulns []vulnEntry `json:"vulns"`
}

func main() {
	src := flag.String("osv", "", "directory of OSV JSON files (golang.org/x/vulndb data/osv)")
	out := flag.String("out", "", "database directory to write")
	flag.Parse()
	if *src == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no OSV files in %s", src)
	}
	for _, d := range []string{"ID", "index"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o750); err != nil {
			return err
		}
	}
	mods := map[string]map[string]vulnEntry{}
	latest := ""
	for _, f := range files {
		raw, err := os.ReadFile(f) //nolint:gosec // files of the module cache
		if err != nil {
			return err
		}
		var v osv
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if !validID.MatchString(v.ID) {
			return fmt.Errorf("%s: unexpected advisory id %q", f, v.ID)
		}
		if err := os.WriteFile(filepath.Join(out, "ID", v.ID+".json"), raw, 0o600); err != nil { //nolint:gosec // id checked by validID
			return err
		}
		latest = max(latest, v.Modified)
		for _, a := range v.Affected {
			e := vulnEntry{ID: v.ID, Modified: v.Modified}
			for _, r := range a.Ranges {
				for _, ev := range r.Events {
					if fx, ok := ev["fixed"]; ok {
						e.Fixed = fx
					}
				}
			}
			if mods[a.Package.Name] == nil {
				mods[a.Package.Name] = map[string]vulnEntry{}
			}
			mods[a.Package.Name][v.ID] = e
		}
	}
	var index []moduleEntry
	for path, vs := range mods {
		m := moduleEntry{Path: path}
		for _, e := range vs {
			m.Vulns = append(m.Vulns, e)
		}
		sort.Slice(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		index = append(index, m)
	}
	sort.Slice(index, func(i, j int) bool { return index[i].Path < index[j].Path })
	if err := writeJSON(filepath.Join(out, "index", "modules.json"), index); err != nil {
		return err
	}
	return writeJSON(filepath.Join(out, "index", "db.json"), map[string]string{"modified": latest})
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}
