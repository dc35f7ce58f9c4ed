package pod

import (
	"context"
	"fmt"
)

// Copy copies every object from one store to another as it is: ciphertext
// and wrapped keys, never plaintext, so moving pods between back ends needs
// no key at all. Objects already in to are overwritten; objects only in to
// are left alone. Run it with no server writing to from. It returns how
// many objects it copied.
func Copy(ctx context.Context, from, to Store) (int, error) {
	var keys []ObjectInfo
	if err := from.List(ctx, "", func(oi ObjectInfo) error {
		keys = append(keys, oi)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("list source: %w", err)
	}
	for i, oi := range keys {
		rc, info, err := from.Get(ctx, oi.Key)
		if err != nil {
			return i, fmt.Errorf("read %s: %w", oi.Key, err)
		}
		_, err = to.Put(ctx, oi.Key, rc, info.Size, Cond{})
		rc.Close()
		if err != nil {
			return i, fmt.Errorf("write %s: %w", oi.Key, err)
		}
	}
	return len(keys), nil
}
