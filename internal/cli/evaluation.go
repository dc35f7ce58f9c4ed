package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	osuser "os/user"
	"path/filepath"

	"github.com/satchel-project/satchel/evaluation"
)

func init() {
	register("evaluation", "the Ministry's evaluation, on the operator's data directory: satchel evaluation export --quarter 2026Q4 --out DIR, satchel evaluation log", runEvaluation)
}

func runEvaluation(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "export" && args[0] != "log" {
		return usagef("use: satchel evaluation export --quarter 2026Q4 [--out DIR] [--data DIR], or satchel evaluation log [--data DIR]")
	}
	sub := args[0]
	fs := flags(env, "evaluation "+sub, "[--quarter 2026Q4 --out DIR] [--data DIR]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	quarter := fs.String("quarter", "", "the quarter to export, like 2026Q4")
	out := fs.String("out", ".", "the directory to write the two CSV files to")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	var q evaluation.Quarter
	if sub == "export" {
		var err error
		if q, err = evaluation.ParseQuarter(*quarter); err != nil {
			return usagef("--quarter: %v", err)
		}
	}
	// Only the operator, on the server's own data, exports: a directory
	// that is not one is refused, never made.
	if f.storage == "" && f.keys == "" {
		if _, err := os.Stat(filepath.Join(f.data, "keys", "master.key")); err != nil {
			return fmt.Errorf("%s is not a Satchel data directory: run this where the server keeps its data, with --data DIR", f.data)
		}
	}
	b, err := openBackend(ctx, env, &f)
	if err != nil {
		return err
	}
	if sub == "log" {
		logs, err := b.Evaluation.Logs(ctx)
		if err != nil {
			return err
		}
		for _, l := range logs {
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%d rows\n", l.At.Format("2006-01-02 15:04:05Z"), l.Quarter, l.Who, l.Rows)
		}
		return nil
	}
	if st, err := os.Stat(*out); err != nil || !st.IsDir() {
		return fmt.Errorf("--out %s is not a directory", *out)
	}
	peopleName := filepath.Join(*out, "evaluation-"+q.String()+"-people.csv")
	countsName := filepath.Join(*out, "evaluation-"+q.String()+"-counts.csv")
	people, err := os.OpenFile(peopleName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write %s (it must not exist already): %w", peopleName, err)
	}
	defer people.Close()
	counts, err := os.OpenFile(countsName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		os.Remove(peopleName)
		return fmt.Errorf("cannot write %s (it must not exist already): %w", countsName, err)
	}
	defer counts.Close()
	who := "operator (command line)"
	if u, err := osuser.Current(); err == nil {
		who = "operator " + u.Username + " (command line)"
	}
	l, err := b.Evaluation.Export(ctx, q, who, b.ObserveOutcomes, people, counts)
	if err == nil {
		err = errors.Join(people.Close(), counts.Close())
	}
	if err != nil {
		os.Remove(peopleName)
		os.Remove(countsName)
		return err
	}
	fmt.Fprintf(env.Stdout, "Wrote %d people to %s and the counts to %s. The export is logged.\n", l.Rows, peopleName, countsName)
	return nil
}
