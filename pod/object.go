package pod

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
)

// Meta is what Satchel knows about a stored resource. It is stored inside
// the encrypted object, in front of the content, so storage never sees it.
type Meta struct {
	Path        Path      `json:"path"`
	ContentType string    `json:"type"`
	Size        int64     `json:"size"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
	// AddedBy is the account of the helper who added the resource; "" when
	// its owner (or Satchel) wrote it.
	AddedBy string `json:"addedBy,omitempty"`
}

const (
	maxMeta   = 64 << 10
	chunkSize = 64 << 10
	tagSize   = 16
)

// ageOverhead is the size of an age file with an empty payload, less its one
// (empty) chunk's tag: the header for one X25519 recipient plus the nonce.
// It is the same for every X25519 recipient.
var ageOverhead = func() int64 {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	w, err := age.Encrypt(&b, id.Recipient())
	if err != nil {
		panic(err)
	}
	w.Close()
	return int64(b.Len()) - tagSize
}()

// cipherSize is the exact size of the age file that encrypts n bytes to one
// X25519 recipient, so that back ends can stream it (S3 multipart) without
// buffering.
func cipherSize(n int64) int64 {
	chunks := (n + chunkSize - 1) / chunkSize
	if chunks == 0 {
		chunks = 1
	}
	return ageOverhead + n + chunks*tagSize
}

// writeObject encrypts meta and exactly meta.Size bytes of body to the pod's
// recipient and stores them under key. If body ends early or fails, nothing
// is stored and any previous object survives.
func (s *Service) writeObject(ctx context.Context, pk *podKeys, key string, meta Meta, body io.Reader, cond Cond) (ObjectInfo, error) {
	mj, err := json.Marshal(meta)
	if err != nil {
		return ObjectInfo{}, err
	}
	plain := int64(4+len(mj)) + meta.Size
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := func() error {
			w, err := age.Encrypt(pw, pk.rcpt)
			if err != nil {
				return err
			}
			var n [4]byte
			binary.BigEndian.PutUint32(n[:], uint32(len(mj)))
			if _, err := w.Write(n[:]); err != nil {
				return err
			}
			if _, err := w.Write(mj); err != nil {
				return err
			}
			if _, err := io.CopyN(w, body, meta.Size); err != nil {
				if errors.Is(err, io.EOF) {
					return errTruncated
				}
				return err
			}
			return w.Close()
		}()
		pw.CloseWithError(err)
		done <- err
	}()
	oi, err := s.store.Put(ctx, key, pr, cipherSize(plain), cond)
	pr.CloseWithError(errAborted)
	if werr := <-done; werr != nil && !errors.Is(werr, errAborted) && !errors.Is(werr, io.ErrClosedPipe) {
		return ObjectInfo{}, werr
	}
	return oi, err
}

var (
	errTruncated = errors.New("the upload ended before all its bytes arrived")
	errAborted   = errors.New("write aborted")
)

// openObject reads and decrypts the object under key, returning its meta and
// a reader of exactly meta.Size content bytes. The caller closes it.
func (s *Service) openObject(ctx context.Context, pk *podKeys, key string) (Meta, io.ReadCloser, ObjectInfo, error) {
	rc, oi, err := s.store.Get(ctx, key)
	if err != nil {
		return Meta{}, nil, oi, err
	}
	meta, r, err := decryptObject(rc, pk)
	if err != nil {
		rc.Close()
		return Meta{}, nil, oi, err
	}
	return meta, readCloser{io.LimitReader(r, meta.Size), rc}, oi, nil
}

func decryptObject(src io.Reader, pk *podKeys) (Meta, io.Reader, error) {
	var meta Meta
	r, err := age.Decrypt(src, pk.id)
	if err != nil {
		return meta, nil, fmt.Errorf("object does not decrypt with the pod key: %w", err)
	}
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return meta, nil, fmt.Errorf("object is damaged: %w", err)
	}
	l := binary.BigEndian.Uint32(n[:])
	if l > maxMeta {
		return meta, nil, errors.New("object is damaged: metadata too large")
	}
	mj := make([]byte, l)
	if _, err := io.ReadFull(r, mj); err != nil {
		return meta, nil, fmt.Errorf("object is damaged: %w", err)
	}
	if err := json.Unmarshal(mj, &meta); err != nil {
		return meta, nil, fmt.Errorf("object is damaged: %w", err)
	}
	return meta, r, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
