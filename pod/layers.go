package pod

import (
	"github.com/satchel-project/satchel/blob"
	"github.com/satchel-project/satchel/sealed"
)

// The layers a Service is built on, for the server's other stores over
// the same storage and keys (package state).

// Store is the storage back end the Service keeps its objects in.
func (s *Service) Store() blob.Store { return s.store }

// Keyring is the keyring that holds each pod's identity.
func (s *Service) Keyring() *sealed.Keyring { return s.keys }

// CreateOnly is the precondition of a write that must not replace anything.
func CreateOnly() Preconditions { return Preconditions{IfNoneMatch: []string{"*"}} }

// IfMatch is the precondition of a write that must replace exactly etag.
func IfMatch(etag string) Preconditions { return Preconditions{IfMatch: []string{etag}} }
