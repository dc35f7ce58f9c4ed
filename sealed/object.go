package sealed

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/satchel-project/satchel/blob"
)

// MaxHeader bounds an object's header.
const MaxHeader = 64 << 10

const (
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

// Errors from Write and Open.
var (
	// ErrTruncated: the body ended before size bytes.
	ErrTruncated = errors.New("the upload ended before all its bytes arrived")
	// ErrDamaged: the object does not decrypt with the space's key, or its
	// framing is wrong.
	ErrDamaged = errors.New("a stored object is damaged or was moved")
	errAborted = errors.New("write aborted")
)

// Write encrypts header and exactly size bytes of body to the space's
// recipient and stores them under key. If body ends early or fails, nothing
// is stored and any previous object survives.
func Write(ctx context.Context, st blob.Putter, k *Keys, key string, header []byte, size int64, body io.Reader, cond blob.Cond) (blob.ObjectInfo, error) {
	if len(header) > MaxHeader {
		return blob.ObjectInfo{}, errors.New("object header too large")
	}
	plain := int64(4+len(header)) + size
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := func() error {
			w, err := age.Encrypt(pw, k.rcpt)
			if err != nil {
				return err
			}
			var n [4]byte
			binary.BigEndian.PutUint32(n[:], uint32(len(header)))
			if _, err := w.Write(n[:]); err != nil {
				return err
			}
			if _, err := w.Write(header); err != nil {
				return err
			}
			if _, err := io.CopyN(w, body, size); err != nil {
				if errors.Is(err, io.EOF) {
					return ErrTruncated
				}
				return err
			}
			return w.Close()
		}()
		pw.CloseWithError(err)
		done <- err
	}()
	oi, err := st.Put(ctx, key, pr, cipherSize(plain), cond)
	pr.CloseWithError(errAborted)
	if werr := <-done; werr != nil && !errors.Is(werr, errAborted) && !errors.Is(werr, io.ErrClosedPipe) {
		return blob.ObjectInfo{}, werr
	}
	return oi, err
}

// WriteBytes is Write for a body held in memory.
func WriteBytes(ctx context.Context, st blob.Putter, k *Keys, key string, header, body []byte, cond blob.Cond) (blob.ObjectInfo, error) {
	return Write(ctx, st, k, key, header, int64(len(body)), bytes.NewReader(body), cond)
}

// Open reads and decrypts the object under key, returning its header and a
// reader of the rest (the body), which the caller closes. A read error
// part-way through the body means the stored object was tampered with.
func Open(ctx context.Context, st blob.Getter, k *Keys, key string) ([]byte, io.ReadCloser, blob.ObjectInfo, error) {
	rc, oi, err := st.Get(ctx, key)
	if err != nil {
		return nil, nil, oi, err
	}
	if oi.Size > 0 && oi.Size <= smallObject {
		header, body, err := decryptSmall(rc, oi.Size, k)
		rc.Close()
		if err != nil {
			return nil, nil, oi, err
		}
		return header, Body{bytes.NewReader(body)}, oi, nil
	}
	header, r, err := decrypt(rc, k)
	if err != nil {
		rc.Close()
		return nil, nil, oi, err
	}
	return header, readCloser{r, rc}, oi, nil
}

// ReadBytes is Open for a body of at most max bytes, read whole.
func ReadBytes(ctx context.Context, st blob.Getter, k *Keys, key string, max int64) ([]byte, []byte, blob.ObjectInfo, error) {
	header, rc, oi, err := Open(ctx, st, k, key)
	if err != nil {
		return nil, nil, oi, err
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, nil, oi, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if int64(len(body)) > max {
		return nil, nil, oi, fmt.Errorf("%w: body larger than %d bytes", ErrDamaged, max)
	}
	return header, body, oi, nil
}

// smallObject is the largest stored object Open reads whole before
// decrypting: one age chunk and its header. Most objects (records, state
// documents, shards) are this small, and age's streaming reader would
// allocate two 64 KiB chunk buffers for each, most of a GET's garbage.
const smallObject = chunkSize + 1024

// Body is the body of a small object, decrypted whole: a bytes.Reader
// (so io.Copy writes it out without a buffer of its own) that closes.
type Body struct{ *bytes.Reader }

// Close implements io.Closer.
func (Body) Close() error { return nil }

// decryptSmall reads all size bytes of an object from src and decrypts
// them in place, allocating about the object's size. An object of one age
// chunk (every small one) is opened here directly: its file key comes from
// age.DecryptHeader, and its payload is, as the age format defines it, a
// 16-byte nonce and one ChaCha20-Poly1305 chunk sealed under
// HKDF-SHA-256(file key, nonce, "payload") with the last-chunk flag set.
// Longer ones go through age.DecryptReaderAt.
func decryptSmall(src io.Reader, size int64, k *Keys) ([]byte, []byte, error) {
	ct := make([]byte, size)
	if _, err := io.ReadFull(src, ct); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	plain, err := openOneChunk(ct, k)
	if errors.Is(err, errSeveralChunks) {
		plain, err = openChunks(ct, k)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(plain) < 4 {
		return nil, nil, fmt.Errorf("%w: too short", ErrDamaged)
	}
	l := binary.BigEndian.Uint32(plain)
	if l > MaxHeader || int64(l) > int64(len(plain)-4) {
		return nil, nil, fmt.Errorf("%w: header too large", ErrDamaged)
	}
	return plain[4 : 4+l], plain[4+l:], nil
}

var errSeveralChunks = errors.New("more than one chunk")

// openOneChunk decrypts an age file of one payload chunk in place.
//
// The payload key of a header and payload nonce that opened once is kept
// (see cachingIdentity.payloadKey), under a digest of exactly those bytes as
// age checked them, so that opening the same object again skips parsing the
// header, its MAC and the key derivation. A stored object that differs in
// any byte of its header or nonce gets another digest and takes the full
// path; a different payload under the same header and nonce still has to
// pass the chunk's own authentication.
func openOneChunk(ct []byte, k *Keys) ([]byte, error) {
	if n := headerEnd(ct); n > 0 && len(ct)-n >= payloadNonceSize+tagSize && len(ct)-n <= payloadNonceSize+chunkSize+tagSize {
		if aead := k.id.payloadKey(ct[:n+payloadNonceSize]); aead != nil {
			return openChunk(aead, ct[n+payloadNonceSize:])
		}
	}
	hdr, err := age.ExtractHeader(bytes.NewReader(ct))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	fileKey, err := age.DecryptHeader(hdr, k.id)
	if err != nil {
		return nil, fmt.Errorf("%w: it does not decrypt with its key: %v", ErrDamaged, err)
	}
	payload := ct[len(hdr):]
	if len(payload) < payloadNonceSize+tagSize {
		return nil, fmt.Errorf("%w: too short", ErrDamaged)
	}
	if len(payload) > payloadNonceSize+chunkSize+tagSize {
		return nil, errSeveralChunks
	}
	key, err := hkdf.Key(sha256.New, fileKey, payload[:payloadNonceSize], "payload", chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, err
	}
	plain, err := openChunk(aead, payload[payloadNonceSize:])
	if err != nil {
		return nil, err
	}
	k.id.rememberPayloadKey(ct[:len(hdr)+payloadNonceSize], aead)
	return plain, nil
}

// openChunk opens the one and last payload chunk in place.
func openChunk(aead cipher.AEAD, chunk []byte) ([]byte, error) {
	var nonce [chacha20poly1305.NonceSize]byte
	nonce[len(nonce)-1] = 1 // chunk 0, the last
	plain, err := aead.Open(chunk[:0], nonce[:], chunk, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: it does not decrypt with its key: %v", ErrDamaged, err)
	}
	return plain, nil
}

// headerEnd is the length of the age header at the start of ct, found by
// its MAC line ("--- " and the MAC, at the start of a line), or 0. It only
// locates the header for a lookup: the bytes it names are trusted only if
// they are, byte for byte, a header that age has checked before.
func headerEnd(ct []byte) int {
	if len(ct) > MaxHeader {
		ct = ct[:MaxHeader]
	}
	i := bytes.Index(ct, []byte("\n--- "))
	if i < 0 {
		return 0
	}
	j := bytes.IndexByte(ct[i+1:], '\n')
	if j < 0 {
		return 0
	}
	return i + 1 + j + 1
}

// payloadNonceSize is the size of the nonce in front of an age payload.
const payloadNonceSize = 16

// openChunks decrypts a whole age file of several chunks.
func openChunks(ct []byte, k *Keys) ([]byte, error) {
	ra, n, err := age.DecryptReaderAt(bytes.NewReader(ct), int64(len(ct)), k.id)
	if err != nil {
		return nil, fmt.Errorf("%w: it does not decrypt with its key: %v", ErrDamaged, err)
	}
	plain := make([]byte, n)
	if m, err := ra.ReadAt(plain, 0); int64(m) != n || (err != nil && err != io.EOF) {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return plain, nil
}

func decrypt(src io.Reader, k *Keys) ([]byte, io.Reader, error) {
	r, err := age.Decrypt(src, k.id)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: it does not decrypt with its key: %v", ErrDamaged, err)
	}
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	l := binary.BigEndian.Uint32(n[:])
	if l > MaxHeader {
		return nil, nil, fmt.Errorf("%w: header too large", ErrDamaged)
	}
	header := make([]byte, l)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return header, r, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
