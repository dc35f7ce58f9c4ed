package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
)

// ContextPath is where this server serves the Satchel JSON-LD context (whose
// stable name is schemas.ContextURL), ConsentContextPath the grants' context
// (schemas.ConsentContextURL); SchemasPath holds the JSON Schemas.
const (
	ContextPath        = "/ns/satchel/v1"
	ConsentContextPath = "/ns/satchel/consent/v1"
	SchemasPath        = "/schemas/"
)

func (b *Backend) routeSchemas(r *mux.Router) {
	for path, url := range map[string]string{ContextPath: schemas.ContextURL, ConsentContextPath: schemas.ConsentContextURL} {
		data, _ := schemas.File(schemas.Contexts[url])
		r.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			serveStatic(w, "application/ld+json", data)
		}).Methods(http.MethodGet, http.MethodHead)
	}
	r.HandleFunc(SchemasPath, func(w http.ResponseWriter, r *http.Request) {
		type entry struct {
			Type, Title, Schema string
			Containers          []string
		}
		var list []entry
		for _, n := range schemas.TypeNames() {
			t := schemas.Types[n]
			list = append(list, entry{t.Name, t.Title, b.Config.BaseURL + SchemasPath + t.Schema, t.Containers})
		}
		data, _ := json.Marshal(map[string]any{"context": schemas.ContextURL, "types": list})
		serveStatic(w, "application/json", data)
	}).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(SchemasPath+"{name}", func(w http.ResponseWriter, r *http.Request) {
		name := mux.Vars(r)["name"]
		data, ok := schemas.File(name)
		if !ok || !strings.HasSuffix(name, ".json") || strings.ContainsAny(name, "/\\") {
			problem.Write(w, http.StatusNotFound, "not-found", "There is no schema with that name.")
			return
		}
		serveStatic(w, "application/schema+json", data)
	}).Methods(http.MethodGet, http.MethodHead)
}

func serveStatic(w http.ResponseWriter, contentType string, data []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(data)
}

// checkRecord and renderRecord connect package schemas to pod.Handler.
func checkRecord(data []byte, p pod.Path) error { return schemas.Check(data, string(p)) }

func renderRecord(data []byte, base, mediaType string) ([]byte, error) {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return schemas.ToRDF(doc, base, mediaType)
}
