package pod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
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
// whose body maps member names to Members. Shards are made on first use
// (create-only) and changed under compare-and-swap, so adding a member
// reads and writes one shard whatever the container's size, and two
// writers lose no update. An emptied shard is kept, not deleted, until the
// pod is erased: S3 cannot delete conditionally (see pod/s3store), and an
// unconditional delete could drop a member another instance had just added.
const numShards = 64

// maxShard bounds the body of one shard we are willing to read: about
// 100,000 members, so a container can grow to millions.
const maxShard = 16 << 20

// shardType marks a shard's header.
const shardType = "application/vnd.satchel.container-shard+json"

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

// readShard reads shard n of container c; a shard not yet made is empty.
func (s *Service) readShard(ctx context.Context, pk *sealed.Keys, c Path, n string) (shard, error) {
	header, body, oi, err := sealed.ReadBytes(ctx, s.store, pk, indexPrefix(pk, c)+n, maxShard)
	if errors.Is(err, ErrNotExist) {
		return shard{members: map[string]Member{}}, nil
	}
	if err != nil {
		return shard{}, err
	}
	var h shardHeader
	if json.Unmarshal(header, &h) != nil || h.Type != shardType || h.Container != c || h.Shard != n {
		return shard{}, errDamaged
	}
	members := map[string]Member{}
	if err := json.Unmarshal(body, &members); err != nil {
		return shard{}, errors.Join(errDamaged, err)
	}
	for name, m := range members {
		m.Name = name
		members[name] = m
	}
	return shard{members: members, etag: oi.ETag, modified: h.Modified}, nil
}

// writeShard stores sh as shard n of container c, only if it is still the
// version that was read (create-only if it did not exist).
func (s *Service) writeShard(ctx context.Context, pk *sealed.Keys, c Path, n string, sh shard) error {
	header, err := json.Marshal(shardHeader{Type: shardType, Container: c, Shard: n, Modified: s.now().UTC()})
	if err != nil {
		return err
	}
	body, err := json.Marshal(sh.members)
	if err != nil {
		return err
	}
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

// readIndex reads every shard of container c, at most maxShardReaders at a
// time, and returns them by number.
func (s *Service) readIndex(ctx context.Context, pk *sealed.Keys, c Path) (map[string]shard, error) {
	version, err := s.indexVersion(ctx, pk, c)
	if err != nil {
		return nil, err
	}
	type result struct {
		n   string
		sh  shard
		err error
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
				sh, err := s.readShard(ctx, pk, c, n)
				results <- result{n, sh, err}
			}
		}()
	}
	out := make(map[string]shard, len(version))
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
