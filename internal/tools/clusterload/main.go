// Command clusterload is the load generator and checker of scripts/cluster.
// It signs in as a leaver through a load balancer, runs concurrent writers
// into the leaver's pod for a fixed time (PUTs of JSON-LD records and plain
// documents, and POSTs to a container), recording every write the server
// acknowledged with the hash of its bytes, while the script injects faults.
// Each acknowledged PUT is read back at once through the balancer (so from
// either instance), and must answer the bytes written. Then it reads
// everything back through the balancer and checks that no
// acknowledged write was lost and that every container listing parses and
// lists every acknowledged member, and reports throughput before and after
// the faults, the errors seen and the time to recover.
//
//	clusterload -base http://127.0.0.1:PORT -username NAME -password-env VAR \
//	  -writers 8 -duration 30s -started FILE -events FILE
//
// The script appends "NAME UNIXNANO" lines to the events file as it injects
// each fault; clusterload reads them when the load ends. It exits 1 if an
// acknowledged write is lost or read back stale, or a listing is corrupt, 2
// if it could not run.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.base, "base", "", "the balancer's URL, such as http://127.0.0.1:8080")
	flag.StringVar(&cfg.username, "username", "", "the leaver's username")
	passwordEnv := flag.String("password-env", "SATCHEL_PASSWORD", "the environment variable holding the leaver's password")
	flag.IntVar(&cfg.writers, "writers", 8, "concurrent writers")
	flag.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long the load runs")
	flag.IntVar(&cfg.paths, "paths", 15, "records, and as many documents, each writer PUTs again and again (made before the timed load)")
	flag.StringVar(&cfg.started, "started", "", "a file to create when the load begins")
	flag.StringVar(&cfg.events, "events", "", "a file of fault events (NAME UNIXNANO lines), read when the load ends")
	flag.Parse()
	cfg.password = os.Getenv(*passwordEnv)
	if cfg.base == "" || cfg.username == "" || cfg.password == "" {
		fmt.Fprintln(os.Stderr, "clusterload: give -base, -username and the password in $"+*passwordEnv)
		os.Exit(2)
	}
	os.Exit(run(context.Background(), cfg))
}

type config struct {
	base, username, password string
	writers, paths           int
	duration                 time.Duration
	started, events          string
}

func run(ctx context.Context, cfg config) int {
	c := &client{
		base: cfg.base,
		http: &http.Client{
			Timeout: 10 * time.Second,
			Transport: &http.Transport{
				MaxIdleConnsPerHost: cfg.writers + 4,
				IdleConnTimeout:     30 * time.Second,
			},
		},
	}
	if err := c.signIn(ctx, cfg.username, cfg.password); err != nil {
		fmt.Fprintln(os.Stderr, "clusterload:", err)
		return 2
	}
	fmt.Printf("signed in through %s; pod %s\n", cfg.base, c.pod)

	// POSTs need their container; PUTs make theirs.
	if r := c.do(ctx, "PUT", c.pod+lettersC, nil); !r.ok() {
		fmt.Fprintf(os.Stderr, "clusterload: could not make %s: %s %s\n", lettersC, r.kind(), short(r.body))
		return 2
	}
	l := newLoad(c, cfg.writers, cfg.paths)
	l.warm(ctx)
	fmt.Printf("warmed up: %d writes make each writer's %d paths\n", len(l.ops), 2*cfg.paths)
	if cfg.started != "" {
		if err := os.WriteFile(cfg.started, []byte(time.Now().Format(time.RFC3339Nano)+"\n"), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "clusterload:", err)
			return 2
		}
	}
	start := time.Now()
	l.run(ctx, cfg.duration)
	end := time.Now()

	events, err := readEvents(cfg.events)
	if err != nil {
		fmt.Fprintln(os.Stderr, "clusterload:", err)
		return 2
	}
	report(os.Stdout, l.ops, start, end, events)

	fmt.Printf("read-backs: %d acknowledged PUTs read at once through the balancer, %d stale, %d failed to read\n", l.readBacks, len(l.stale), l.readErrors)
	for i, t := range l.stale {
		if i == 10 {
			fmt.Printf("  ... and %d more\n", len(l.stale)-10)
			break
		}
		fmt.Printf("  stale: %s\n", t)
	}
	v := verify(ctx, c, l)
	v.print(os.Stdout)
	if v.failed() || len(l.stale) > 0 {
		fmt.Println("FAIL: acknowledged writes were lost or read stale, or listings are corrupt (details above)")
		return 1
	}
	fmt.Println("PASS: every acknowledged write is readable, every listing is whole, and service continues")
	return 0
}
