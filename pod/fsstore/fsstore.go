// Package fsstore is the default storage back end: objects as files in a
// local directory. Writes go to a temporary file that is synced and then
// renamed (or hard-linked, for create-only writes) into place, so a crash
// never leaves a torn object.
//
// Conditional writes are safe between goroutines of one process; create-only
// writes are also safe between processes (they use link(2), which fails if
// the name exists). Run one serving process per directory; use S3 storage to
// run many.
package fsstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/satchel-project/satchel/pod"
)

const tmpPrefix = ".tmp-"

// Store keeps objects under a root directory.
type Store struct {
	root  string
	locks [64]sync.Mutex
}

var _ pod.Store = (*Store)(nil)

// Open returns a Store rooted at dir, creating it (mode 0700) if needed, and
// removes temporary files left by writes that were interrupted an hour or
// more ago.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("fsstore: create %s: %w", dir, err)
	}
	s := &Store{root: dir}
	cutoff := time.Now().Add(-time.Hour)
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), tmpPrefix) {
			return nil
		}
		if info, err := d.Info(); err == nil && info.ModTime().Before(cutoff) {
			_ = os.Remove(p)
		}
		return nil
	})
	return s, nil
}

// path maps a key to a file name, refusing keys that could escape the root.
func (s *Store) path(key string) (string, error) {
	if key == "" || len(key) > 1024 || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") {
		return "", fmt.Errorf("fsstore: invalid key %q", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.HasPrefix(seg, tmpPrefix) {
			return "", fmt.Errorf("fsstore: invalid key %q", key)
		}
		for _, c := range seg {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return "", fmt.Errorf("fsstore: invalid key %q", key)
			}
		}
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

func (s *Store) lock(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &s.locks[h.Sum32()%uint32(len(s.locks))]
}

func info(key string, fi os.FileInfo) pod.ObjectInfo {
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return pod.ObjectInfo{
		Key:     key,
		Size:    fi.Size(),
		ETag:    fmt.Sprintf("%x-%x-%x", fi.ModTime().UnixNano(), fi.Size(), ino),
		ModTime: fi.ModTime(),
	}
}

// Get implements pod.Getter.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, pod.ObjectInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, pod.ObjectInfo{}, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, pod.ObjectInfo{}, mapErr(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, pod.ObjectInfo{}, err
	}
	return f, info(key, fi), nil
}

// Stat implements pod.Getter.
func (s *Store) Stat(ctx context.Context, key string) (pod.ObjectInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return pod.ObjectInfo{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return pod.ObjectInfo{}, mapErr(err)
	}
	return info(key, fi), nil
}

// Put implements pod.Putter.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, cond pod.Cond) (pod.ObjectInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return pod.ObjectInfo{}, err
	}
	dir := filepath.Dir(p)
	var tmp *os.File
	for try := 0; ; try++ {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return pod.ObjectInfo{}, err
		}
		tmp, err = os.CreateTemp(dir, tmpPrefix+"*")
		// A Delete may have removed the directory as it emptied it.
		if err == nil || !errors.Is(err, fs.ErrNotExist) || try == 3 {
			break
		}
	}
	if err != nil {
		return pod.ObjectInfo{}, err
	}
	tmpName := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err != nil {
		return pod.ObjectInfo{}, fmt.Errorf("fsstore: write %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return pod.ObjectInfo{}, fmt.Errorf("fsstore: write %s: got %d bytes, want %d", key, n, size)
	}
	if err := tmp.Sync(); err != nil {
		return pod.ObjectInfo{}, err
	}
	// The object's ETag is known before it is in place: rename and link
	// keep the inode, size and modification time it is made from. So the
	// lock below covers only the condition and the rename, not the
	// directory sync, and writers of one key do not queue behind each
	// other's disk flushes.
	t := stamp()
	if err := os.Chtimes(tmpName, t, t); err != nil {
		return pod.ObjectInfo{}, err
	}
	fi, err := tmp.Stat()
	if err != nil {
		return pod.ObjectInfo{}, err
	}
	if err := tmp.Close(); err != nil {
		return pod.ObjectInfo{}, err
	}
	if err := s.commit(key, p, tmpName, cond); err != nil {
		return pod.ObjectInfo{}, err
	}
	committed = true
	syncDir(dir)
	return info(key, fi), nil
}

// lastStamp is the modification time, in nanoseconds, given to the last
// object written.
var lastStamp atomic.Int64

// stamp is a modification time later than any given before by this
// process. The kernel's own clock for file times ticks only every few
// milliseconds, and a freed inode number is soon reused: two writes of one
// size in one tick could otherwise make an ETag seen before, and a
// compare-and-swap holding the old one would wrongly succeed.
func stamp() time.Time {
	for {
		last := lastStamp.Load()
		now := max(time.Now().UnixNano(), last+1)
		if lastStamp.CompareAndSwap(last, now) {
			return time.Unix(0, now)
		}
	}
}

// commit puts the written temporary file in place under cond, holding the
// key's lock from the check to the rename.
func (s *Store) commit(key, p, tmpName string, cond pod.Cond) error {
	mu := s.lock(key)
	mu.Lock()
	defer mu.Unlock()
	switch {
	case cond.IfNoneMatch:
		// link(2) fails if the name exists, even if another process made it.
		if err := os.Link(tmpName, p); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return pod.ErrPrecondition
			}
			return err
		}
		os.Remove(tmpName)
		return nil
	case cond.IfMatch != "":
		fi, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return pod.ErrPrecondition
			}
			return err
		}
		if info(key, fi).ETag != cond.IfMatch {
			return pod.ErrPrecondition
		}
	}
	return os.Rename(tmpName, p)
}

// Delete implements pod.Putter.
func (s *Store) Delete(ctx context.Context, key string, cond pod.Cond) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	mu := s.lock(key)
	mu.Lock()
	defer mu.Unlock()
	fi, err := os.Stat(p)
	if err != nil {
		return mapErr(err)
	}
	if cond.IfNoneMatch || (cond.IfMatch != "" && info(key, fi).ETag != cond.IfMatch) {
		return pod.ErrPrecondition
	}
	if err := os.Remove(p); err != nil {
		return mapErr(err)
	}
	syncDir(filepath.Dir(p))
	// Remove directories this emptied, so that nothing shows what was there.
	for dir := filepath.Dir(p); dir != s.root && strings.HasPrefix(dir, s.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// List implements pod.Lister.
func (s *Store) List(ctx context.Context, prefix string, fn func(pod.ObjectInfo) error) error {
	// Walk the deepest directory that the prefix names in full.
	start := s.root
	if i := strings.LastIndex(prefix, "/"); i > 0 {
		start = filepath.Join(s.root, filepath.FromSlash(prefix[:i]))
	}
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), tmpPrefix) {
			return nil
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return fn(info(key, fi))
	})
	return err
}

func mapErr(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return pod.ErrNotExist
	}
	return err
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// ctxReader stops a copy when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
