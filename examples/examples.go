// Package examples holds a complete, fictional example pod (records and
// small sample documents for "Jo Bloggs"), embedded so that "satchel
// examples load" can put it into any pod, and so that tests can check it
// against the schemas.
package examples

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed pod
var pod embed.FS

// File is one file of the example pod.
type File struct {
	// Path is relative to the pod root, e.g. "housing/address-history.jsonld".
	Path        string
	ContentType string
	Data        []byte
}

var types = map[string]string{
	".jsonld": "application/ld+json",
	".pdf":    "application/pdf",
	".png":    "image/png",
}

// Files returns the example pod's files, documents (scans, PDFs) before
// records, so that a record's links never point at nothing.
func Files() []File {
	var out []File
	fs.WalkDir(pod, "pod", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := types[path.Ext(p)]
		if !ok {
			return nil
		}
		data, err := pod.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, File{Path: strings.TrimPrefix(p, "pod/"), ContentType: ct, Data: data})
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := out[i].ContentType == "application/ld+json", out[j].ContentType == "application/ld+json"
		if ri != rj {
			return !ri
		}
		return out[i].Path < out[j].Path
	})
	return out
}
