package pod

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/satchel-project/satchel/sealed"
	"math/rand/v2"
	"strings"
	"time"
)

// ContainerType is the content type Satchel stores a container's membership
// under, inside its encrypted object.
const ContainerType = "application/vnd.satchel.container+json"

// Member is one entry of a container: a resource or a container (Name ends
// in "/"), with what the listing shows about it.
type Member struct {
	Name        string    `json:"-"`
	ContentType string    `json:"type,omitempty"`
	Size        int64     `json:"size"`
	Modified    time.Time `json:"modified"`
}

// pendingSize marks a member whose name a POST has reserved but not yet
// written; listings do not show it.
const pendingSize = -1

func (m Member) pending() bool { return m.Size == pendingSize }

// IsContainer reports whether the member is a container.
func (m Member) IsContainer() bool { return strings.HasSuffix(m.Name, "/") }

type listing struct {
	Members map[string]Member `json:"members"`
}

// maxContainerRetries bounds the compare-and-swap loop that updates a
// container's membership when writers race; maxBackoff caps one wait.
const (
	maxContainerRetries = 60
	maxBackoff          = 100 * time.Millisecond
)

// ErrBusy means a container kept changing under a writer until it gave up.
var ErrBusy = errors.New("this folder is too busy to change right now")

// readContainer decrypts container c, returning its members and the ETag of
// the object they came from.
func (s *Service) readContainer(ctx context.Context, pk *sealed.Keys, id PodID, c Path) (map[string]Member, ObjectInfo, Meta, error) {
	meta, rc, oi, err := s.openObject(ctx, pk, pk.Object(string(c)))
	if err != nil {
		return nil, oi, meta, err
	}
	defer rc.Close()
	if meta.ContentType != ContainerType || meta.Path != c {
		return nil, oi, meta, errDamaged
	}
	var l listing
	if err := json.NewDecoder(rc).Decode(&l); err != nil {
		return nil, oi, meta, errDamaged
	}
	if l.Members == nil {
		l.Members = map[string]Member{}
	}
	for name, m := range l.Members {
		m.Name = name
		l.Members[name] = m
	}
	return l.Members, oi, meta, nil
}

func (s *Service) writeContainer(ctx context.Context, pk *sealed.Keys, id PodID, c Path, members map[string]Member, cond Cond) (ObjectInfo, error) {
	if members == nil {
		members = map[string]Member{}
	}
	body, err := json.Marshal(listing{Members: members})
	if err != nil {
		return ObjectInfo{}, err
	}
	meta := Meta{Path: c, ContentType: ContainerType, Size: int64(len(body)), Modified: s.now().UTC()}
	return s.writeObject(ctx, pk, pk.Object(string(c)), meta, bytes.NewReader(body), cond)
}

// updateContainer applies change to container c's members under a
// compare-and-swap loop, so that concurrent writers (in this process or
// another sharing the store) lose no update. If create is set, a missing
// container is created in its parent first.
func (s *Service) updateContainer(ctx context.Context, pk *sealed.Keys, id PodID, c Path, create bool, change func(map[string]Member) error) error {
	for attempt := 0; attempt < maxContainerRetries; attempt++ {
		members, oi, _, err := s.readContainer(ctx, pk, id, c)
		if errors.Is(err, ErrNotExist) {
			if !create {
				return ErrNotFound
			}
			if err := s.ensureContainer(ctx, pk, id, c); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := change(members); err != nil {
			return err
		}
		_, err = s.writeContainer(ctx, pk, id, c, members, Cond{IfMatch: oi.ETag})
		if errors.Is(err, ErrPrecondition) {
			// Someone else changed the container: back off (jittered,
			// exponential, capped) so that busy writers spread out, then
			// read it again.
			ceiling := min(maxBackoff, time.Millisecond<<min(attempt, 10))
			select {
			case <-time.After(time.Duration(rand.Int64N(int64(ceiling)))):
			case <-ctx.Done():
				return ctx.Err()
			}
			continue
		}
		return err
	}
	return ErrBusy
}

// ensureContainer creates container c and links it into its parent,
// creating ancestors as needed. An existing container is left alone.
func (s *Service) ensureContainer(ctx context.Context, pk *sealed.Keys, id PodID, c Path) error {
	if c.IsRoot() {
		return nil
	}
	_, err := s.writeContainer(ctx, pk, id, c, nil, Cond{IfNoneMatch: true})
	if err != nil && !errors.Is(err, ErrPrecondition) {
		return err
	}
	return s.link(ctx, pk, id, c, Member{Name: c.Name(), Modified: s.now().UTC()})
}

// link records m in the parent of p, creating the parent if needed. A
// resource and a container may not share a name (Solid: "a" vs "a/").
func (s *Service) link(ctx context.Context, pk *sealed.Keys, id PodID, p Path, m Member) error {
	return s.updateContainer(ctx, pk, id, p.Parent(), true, func(members map[string]Member) error {
		if _, clash := members[twin(m.Name)]; clash {
			return ErrConflict
		}
		m.Name = p.Name()
		members[m.Name] = m
		return nil
	})
}

// unlink removes p from its parent's members.
func (s *Service) unlink(ctx context.Context, pk *sealed.Keys, id PodID, p Path) error {
	err := s.updateContainer(ctx, pk, id, p.Parent(), false, func(members map[string]Member) error {
		delete(members, p.Name())
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// twin is the other form of a name: "a" for "a/" and "a/" for "a".
func twin(name string) string {
	if strings.HasSuffix(name, "/") {
		return strings.TrimSuffix(name, "/")
	}
	return name + "/"
}
