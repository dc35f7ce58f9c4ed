package limits

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// space holds the documents of every limit.
const space = "limits"

// saltName holds the key of the hash that names documents.
const saltName state.Name = "salt"

// Store keeps Counters in the server's state (package state), shared by
// every instance over the same storage: one sealed document per key, named
// by an HMAC of the key under a random salt kept beside them, so that
// neither object names nor document names show a username or an address.
// Documents are never listed.
type Store struct {
	db   *state.DB
	salt []byte
}

var _ Counters = (*Store)(nil)

// Open returns the limits kept in the storage and keys of pods, creating
// their space and salt on first use.
func Open(ctx context.Context, pods *pod.Service) (*Store, error) {
	db, err := state.Open(ctx, pods.Store(), pods.Keyring(), space)
	if err != nil {
		return nil, fmt.Errorf("open the limits store: %w", err)
	}
	s := &Store{db: db}
	var rec struct {
		Salt []byte `json:"salt"`
	}
	_, err = db.ReadJSON(ctx, saltName, &rec)
	if errors.Is(err, state.ErrNotFound) {
		rec.Salt = make([]byte, 32)
		rand.Read(rec.Salt)
		err = db.WriteJSON(ctx, saltName, rec, state.CreateOnly())
		if errors.Is(err, state.ErrPrecondition) { // another instance made it first
			_, err = db.ReadJSON(ctx, saltName, &rec)
		}
	}
	if err == nil && len(rec.Salt) < 16 {
		err = errors.New("the salt is missing")
	}
	if err != nil {
		return nil, fmt.Errorf("open the limits store: %w", err)
	}
	s.salt = rec.Salt
	return s, nil
}

// name names key's document.
func (s *Store) name(key string) state.Name {
	m := hmac.New(sha256.New, s.salt)
	m.Write([]byte(key))
	return state.Name("k" + hex.EncodeToString(m.Sum(nil)[:16]))
}

// Update implements Counters. A document that is not there yet is created
// only if change leaves something in it. A document that keeps changing
// under every attempt is state.ErrBusy.
func (s *Store) Update(ctx context.Context, key string, change func([]byte) ([]byte, error)) error {
	name := s.name(key)
	for range maxCreates {
		err := s.db.Update(ctx, name, func(b []byte) ([]byte, error) {
			out, err := change(b)
			if errors.Is(err, ErrNoChange) {
				return nil, state.ErrNoChange
			}
			return out, err
		})
		if !errors.Is(err, state.ErrNotFound) {
			return err
		}
		out, err := change(nil)
		if errors.Is(err, ErrNoChange) || err == nil && string(out) == "{}" {
			return nil
		}
		if err == nil {
			err = s.db.WriteJSON(ctx, name, json.RawMessage(out), state.CreateOnly())
		}
		if !errors.Is(err, state.ErrPrecondition) {
			return err
		}
		// Made by another writer since: change theirs.
	}
	return state.ErrBusy
}

// maxCreates bounds Update's attempts to create a document that others
// keep creating (and, somehow, deleting) first.
const maxCreates = 10

// Forgotten is how long a document may go unwritten before Sweep deletes
// it: as Memory does, a count not changed for a day counts for nothing.
// Every allowance's window and lease must be shorter than this (today the
// longest, the sign-in throttle's, is an hour).
const Forgotten = 24 * time.Hour

// Sweep deletes the documents not written for Forgotten before now, so that
// keys seen once (a mistyped username, a link guessed at) do not stay in
// storage for ever, and says how many it deleted. A document changed
// meanwhile, by any instance, stays. It lists the whole space: run it in
// the background, as the server does every hour.
func (s *Store) Sweep(ctx context.Context, now time.Time) (int, error) {
	return s.db.Sweep(ctx, now.Add(-Forgotten), saltName)
}
