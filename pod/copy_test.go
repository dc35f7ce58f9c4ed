package pod_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/blob/cache"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
)

// TestCopyLeavesServersRecordsBehind: the records of servers running on
// the source are theirs, not data to move.
func TestCopyLeavesServersRecordsBehind(t *testing.T) {
	ctx := context.Background()
	from, err := fsstore.Open(filepath.Join(t.TempDir(), "from"))
	if err != nil {
		t.Fatal(err)
	}
	to, err := fsstore.Open(filepath.Join(t.TempDir(), "to"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"pods/x/o/abc", cache.MembersPrefix + "0123"} {
		if _, err := from.Put(ctx, k, strings.NewReader("v"), 1, pod.Cond{}); err != nil {
			t.Fatal(err)
		}
	}
	// migrate reads an S3 source through the cache, as here.
	n, err := pod.Copy(ctx, cache.New(from, cache.Options{}), to)
	if err != nil || n != 1 {
		t.Fatalf("copied %d, %v; want 1", n, err)
	}
	if _, err := to.Stat(ctx, "pods/x/o/abc"); err != nil {
		t.Fatalf("the object was not copied: %v", err)
	}
	if _, err := to.Stat(ctx, cache.MembersPrefix+"0123"); !errors.Is(err, pod.ErrNotExist) {
		t.Fatalf("a server's record was copied: %v", err)
	}
}
