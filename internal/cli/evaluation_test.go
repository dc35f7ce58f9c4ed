package cli

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/evaluation"
	"github.com/satchel-project/satchel/server"
)

func TestEvaluationExportNeedsTheOperatorsDataDirectory(t *testing.T) {
	data := filepath.Join(t.TempDir(), "not-here")
	out := t.TempDir()
	code, _, errs := runCLI(t, map[string]string{"SATCHEL_DATA": data}, "evaluation", "export", "--quarter", "2026Q4", "--out", out)
	if code != 1 || !strings.Contains(errs, "is not a Satchel data directory") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("the refused export made a data directory: %v", err)
	}
	if files, _ := os.ReadDir(out); len(files) != 0 {
		t.Fatalf("the refused export wrote %d files", len(files))
	}
	if code, _, errs := runCLI(t, map[string]string{"SATCHEL_DATA": data}, "evaluation", "export", "--quarter", "2026-10"); code != 2 || !strings.Contains(errs, "like 2026Q4") {
		t.Fatalf("a bad quarter: exit %d: %s", code, errs)
	}
}

func TestEvaluationExportOnTheDataDirectory(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	b, err := server.Open(ctx, server.Config{DataDir: data, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	agreed, _ := b.Pods.CreatePod(ctx)
	never, _ := b.Pods.CreatePod(ctx)
	b.Evaluation.Agree(ctx, agreed)
	if _, err := b.Evaluation.Enter(ctx, "hmp-example", agreed, evaluation.Details{NomisID: "A1234BC", FirstName: "Jo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Evaluation.Enter(ctx, "hmp-example", never, evaluation.Details{NomisID: "Z9999ZZ"}); err == nil {
		t.Fatal("kept data for someone who did not agree")
	}
	out := t.TempDir()
	env := map[string]string{"SATCHEL_DATA": data}
	code, stdout, errs := runCLI(t, env, "evaluation", "export", "--quarter", "2099Q4", "--out", out)
	if code != 0 || !strings.Contains(stdout, "Wrote 1 people") {
		t.Fatalf("exit %d: %s %s", code, stdout, errs)
	}
	people, _ := os.ReadFile(filepath.Join(out, "evaluation-2099Q4-people.csv"))
	lines := strings.Split(strings.TrimSpace(string(people)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "nomis_id,pnc_number,delius_number,date_of_birth,first_name,surname,") || !strings.HasPrefix(lines[1], "A1234BC,,,,Jo,") || strings.Contains(string(people), "Z9999ZZ") {
		t.Fatalf("people:\n%s", people)
	}
	counts, _ := os.ReadFile(filepath.Join(out, "evaluation-2099Q4-counts.csv"))
	if !strings.Contains(string(counts), "participants,all,<5") {
		t.Fatalf("counts:\n%s", counts)
	}
	if code, _, errs := runCLI(t, env, "evaluation", "export", "--quarter", "2099Q4", "--out", out); code != 1 || !strings.Contains(errs, "must not exist already") {
		t.Fatalf("a second export over the first: exit %d: %s", code, errs)
	}
	code, stdout, _ = runCLI(t, env, "evaluation", "log")
	if code != 0 || !strings.Contains(stdout, "2099Q4\toperator") || !strings.Contains(stdout, "(command line)\t1 rows") {
		t.Fatalf("log: %q", stdout)
	}
}
