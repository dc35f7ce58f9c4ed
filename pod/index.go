package pod

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/satchel-project/satchel/sealed"
)

// A container's members live in its index: numShards shard objects beside
// the container object, each holding the members whose names hash to it.
// A shard is the sealed object
//
//	pods/SPACE/c/HASH(container)/NN
//
// (NN two hex digits) whose header names its container and shard number,
// so that a shard copied or moved to another place reads as damaged, and
// whose body holds its members (see encodeMembers). Shards are made on
// first use (create-only) and changed under compare-and-swap, so adding a
// member reads and writes one shard whatever the container's size, and
// two writers lose no update. An emptied shard is kept, not deleted, until the
// pod is erased: S3 cannot delete conditionally (see pod/s3store), and an
// unconditional delete could drop a member another instance had just added.
const numShards = 64

// maxShard bounds the body of one shard we are willing to read: some
// hundreds of thousands of members, so a container can grow to millions.
const maxShard = 16 << 20

// shardType marks a shard's header.
const shardType = "application/vnd.satchel.container-shard"

// shardHeader is the header of a shard object.
type shardHeader struct {
	Type      string    `json:"type"`
	Container Path      `json:"container"`
	Shard     string    `json:"shard"`
	Modified  time.Time `json:"modified"`
}

// shard is one shard as read: its members, and its ETag ("" if it does not
// exist yet).
type shard struct {
	members  map[string]Member
	etag     string
	modified time.Time
}

// shardVersion is the first byte of a shard's body.
const shardVersion = 1

// encodeMembers makes a shard's body: shardVersion, then each member as its
// name and content type (each a uvarint length and the bytes), its size
// and its modification time in Unix nanoseconds, 0 for none (varints). Listing a
// container of 10,000 members reads 10,000 of these, which is many times
// quicker than JSON with its dates.
func encodeMembers(members map[string]Member) []byte {
	b := make([]byte, 1, 1+len(members)*40)
	b[0] = shardVersion
	for _, name := range slices.Sorted(maps.Keys(members)) {
		m := members[name]
		b = binary.AppendUvarint(b, uint64(len(name)))
		b = append(b, name...)
		b = binary.AppendUvarint(b, uint64(len(m.ContentType)))
		b = append(b, m.ContentType...)
		b = binary.AppendVarint(b, m.Size)
		var mod int64
		if !m.Modified.IsZero() {
			mod = m.Modified.UnixNano()
		}
		b = binary.AppendVarint(b, mod)
	}
	return b
}

// decodeMembers calls fn with each member of a shard's body.
func decodeMembers(b []byte, fn func(Member)) error {
	if len(b) == 0 || b[0] != shardVersion {
		return errDamaged
	}
	b = b[1:]
	types := map[string]string{} // one string per content type
	str := func() (string, bool) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return "", false
		}
		v := b[k : k+int(n)]
		b = b[k+int(n):]
		return string(v), true
	}
	num := func() (int64, bool) {
		v, k := binary.Varint(b)
		if k <= 0 {
			return 0, false
		}
		b = b[k:]
		return v, true
	}
	for len(b) > 0 {
		name, ok1 := str()
		typ, ok2 := str()
		size, ok3 := num()
		mod, ok4 := num()
		if !ok1 || !ok2 || !ok3 || !ok4 || name == "" {
			return errDamaged
		}
		if t, ok := types[typ]; ok {
			typ = t
		} else {
			types[typ] = typ
		}
		m := Member{Name: name, ContentType: typ, Size: size}
		if mod != 0 {
			m.Modified = time.Unix(0, mod).UTC()
		}
		fn(m)
	}
	return nil
}

// shardOf names the shard that holds member name: one byte of the name's
// HMAC, taken without a trailing "/" so that "a" and "a/" share a shard and
// checking one against the other is one read.
func shardOf(pk *sealed.Keys, name string) string {
	b, _ := strconv.ParseUint(pk.Hash(strings.TrimSuffix(name, "/"))[:2], 16, 8)
	return fmt.Sprintf("%02x", b%numShards)
}

// indexPrefix is the start of the names of container c's shards.
func indexPrefix(pk *sealed.Keys, c Path) string {
	return pk.Prefix() + "c/" + pk.Hash(string(c)) + "/"
}

// openShard reads shard n of container c, checking that its header names
// it, and returns its body and what readShard returns besides members. A
// shard not yet made has no body and no ETag.
func (s *Service) openShard(ctx context.Context, pk *sealed.Keys, c Path, n string) ([]byte, shard, error) {
	header, body, oi, err := sealed.ReadBytes(ctx, s.store, pk, indexPrefix(pk, c)+n, maxShard)
	if errors.Is(err, ErrNotExist) {
		return nil, shard{}, nil
	}
	if err != nil {
		return nil, shard{}, err
	}
	var h shardHeader
	if json.Unmarshal(header, &h) != nil || h.Type != shardType || h.Container != c || h.Shard != n {
		return nil, shard{}, errDamaged
	}
	return body, shard{etag: oi.ETag, modified: h.Modified}, nil
}

// readShard reads shard n of container c; a shard not yet made is empty.
func (s *Service) readShard(ctx context.Context, pk *sealed.Keys, c Path, n string) (shard, error) {
	body, sh, err := s.openShard(ctx, pk, c, n)
	sh.members = map[string]Member{}
	if err != nil || sh.etag == "" {
		return sh, err
	}
	err = decodeMembers(body, func(m Member) { sh.members[m.Name] = m })
	return sh, err
}

// writeShard stores sh as shard n of container c, only if it is still the
// version that was read (create-only if it did not exist).
func (s *Service) writeShard(ctx context.Context, pk *sealed.Keys, c Path, n string, sh shard) error {
	header, err := json.Marshal(shardHeader{Type: shardType, Container: c, Shard: n, Modified: s.now().UTC()})
	if err != nil {
		return err
	}
	body := encodeMembers(sh.members)
	cond := Cond{IfNoneMatch: true}
	if sh.etag != "" {
		cond = Cond{IfMatch: sh.etag}
	}
	_, err = sealed.WriteBytes(ctx, s.store, pk, indexPrefix(pk, c)+n, header, body, cond)
	return err
}

// updateShard applies change to the members of shard n of container c
// under a compare-and-swap loop, so that concurrent writers (in this
// process or another sharing the store) lose no update. change reports
// whether it changed anything; if not, nothing is written. updateShard
// reports whether it wrote.
func (s *Service) updateShard(ctx context.Context, pk *sealed.Keys, c Path, n string, change func(map[string]Member) (bool, error)) (bool, error) {
	for attempt := 0; attempt < maxContainerRetries; attempt++ {
		sh, err := s.readShard(ctx, pk, c, n)
		if err != nil {
			return false, err
		}
		changed, err := change(sh.members)
		if err != nil || !changed {
			return false, err
		}
		err = s.writeShard(ctx, pk, c, n, sh)
		if errors.Is(err, ErrPrecondition) {
			if err := backoff(ctx, attempt); err != nil {
				return false, err
			}
			continue
		}
		return err == nil, err
	}
	return false, ErrBusy
}

// backoff waits after a lost compare-and-swap (jittered, exponential,
// capped) so that busy writers spread out.
func backoff(ctx context.Context, attempt int) error {
	ceiling := min(maxBackoff, time.Millisecond<<min(attempt, 10))
	select {
	case <-time.After(time.Duration(rand.Int64N(int64(ceiling)))):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// indexVersion lists container c's shards: each shard's number and ETag.
func (s *Service) indexVersion(ctx context.Context, pk *sealed.Keys, c Path) (map[string]string, error) {
	prefix := indexPrefix(pk, c)
	out := map[string]string{}
	err := s.store.List(ctx, prefix, func(oi ObjectInfo) error {
		out[strings.TrimPrefix(oi.Key, prefix)] = oi.ETag
		return nil
	})
	return out, err
}

// maxShardReaders bounds the shards of one container read at once.
const maxShardReaders = 8

// listedShard is one shard of a container as a listing reads it.
type listedShard struct {
	members  []Member
	etag     string
	modified time.Time
}

// readIndex reads every shard of container c, at most maxShardReaders at a
// time, and returns them by number.
func (s *Service) readIndex(ctx context.Context, pk *sealed.Keys, c Path) (map[string]listedShard, error) {
	version, err := s.indexVersion(ctx, pk, c)
	if err != nil {
		return nil, err
	}
	type result struct {
		n   string
		sh  listedShard
		err error
	}
	read := func(n string) result {
		body, sh, err := s.openShard(ctx, pk, c, n)
		if err != nil || sh.etag == "" {
			return result{n: n, err: err}
		}
		l := listedShard{etag: sh.etag, modified: sh.modified}
		err = decodeMembers(body, func(m Member) { l.members = append(l.members, m) })
		return result{n, l, err}
	}
	work := make(chan string, len(version))
	for n := range version {
		work <- n
	}
	close(work)
	results := make(chan result, len(version))
	for range min(maxShardReaders, len(version)) {
		go func() {
			for n := range work {
				results <- read(n)
			}
		}()
	}
	out := make(map[string]listedShard, len(version))
	var first error
	for range version {
		r := <-results
		switch {
		case r.err != nil:
			if first == nil {
				first = r.err
			}
		case r.sh.etag != "":
			// A shard listed but gone when read (only ErasePod
			// deletes shards) holds no one.
			out[r.n] = r.sh
		}
	}
	return out, first
}
