package issuer_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/podtest"
)

const csvHeader = "enrolment,course_name,course_code,accredited,awarding_body,level,learning_start,learning_end,outcome,grade,establishment\n"

// csvLeaver is the leaver a fuzzed file issues to: their pod, and their
// enrolment with the issuing organisation ({enrolment} in an input) and
// with another organisation ({other}).
type csvLeaver struct {
	pod              pod.PodID
	enrolment, other string
	seen             map[string]bool // inbox members already checked
}

// FuzzIssueCSV checks bulk issuance against any file an issuer can upload:
// it never panics; every row gets exactly one outcome, in order; a row is
// issued only if its input is good (the enrolment is with this
// organisation, the required columns are there, dates are dates and in
// order, accredited is yes or no, and no field holds invalid UTF-8 or
// control characters); and each credential issued is in the leaver's
// inbox and verifies as this organisation's.
func FuzzIssueCSV(f *testing.F) {
	ctx := context.Background()
	pods, cust := podtest.New(f)
	s, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		f.Fatal(err)
	}
	for slug, name := range map[string]string{"hmp-example": "HMP Example Education", "other-org": "Another Organisation"} {
		if _, err := s.CreateOrg(ctx, slug, name); err != nil {
			f.Fatal(err)
		}
	}
	var leaver csvLeaver
	newLeaver := func(t testing.TB) {
		id, err := pods.CreatePod(ctx)
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Enrol(ctx, id, "hmp-example", "Jo Bloggs")
		if err != nil {
			t.Fatal(err)
		}
		o, err := s.Enrol(ctx, id, "other-org", "Jo Bloggs")
		if err != nil {
			t.Fatal(err)
		}
		leaver = csvLeaver{id, e.ID, o.ID, map[string]bool{}}
	}
	newLeaver(f)

	good := "{enrolment},Functional Skills English,FSE-L1,yes,Pearson,Level 1,2025-01-06,2025-06-27,Achieved,Pass,HMP Example\n"
	for _, seed := range []string{
		csvHeader + good,
		csvHeader + good + "{enrolment},Barbering,,no,,Level 2,2024-09-02,2025-03-28,Achieved,,HMP Example\n",
		// Columns in another order, in other case, with spaces; the optional ones left out.
		" Outcome ,LEVEL,course_name,enrolment,learning_end,learning_start,establishment\r\nAchieved,Entry 3,Maths,{enrolment},2025-06-27,2025-01-06,HMP Example\r\n",
		// Hostile: the wrong leaver, bad dates, bad flags, ragged rows, broken quoting.
		csvHeader + "{other},Functional Skills English,,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "nobody,Functional Skills English,,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},Functional Skills English,,yes,,Level 1,2025-06-27,2025-01-06,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},Functional Skills English,,yes,,Level 1,2025-02-30,06/27/2025,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},Functional Skills English,,maybe,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},  ,,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},Functional Skills English\n" + good,
		csvHeader + "{enrolment},\"Functional \"Skills\" English,,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n" + good,
		csvHeader + "{enrolment},\"Functional Skills\nEnglish\",,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},Functional Skills\x00English,,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},Functional Skills \xff\xfe English,,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},=HYPERLINK(\"http://evil.example\"),,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},../../etc/passwd,,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment}," + strings.Repeat("x", 201) + ",,yes,,Level 1,2025-01-06,2025-06-27,Achieved,,HMP Example\n",
		csvHeader + "{enrolment},{enrolment},{enrolment},{enrolment},{enrolment},{enrolment},{enrolment},{enrolment},{enrolment},{enrolment},{enrolment}\n",
		csvHeader, csvHeader + "\n\n", "", "enrolment\n", "\"", "\xef\xbb\xbf" + csvHeader + good,
		"enrolment,enrolment,course_name,level,learning_start,learning_end,outcome,establishment\n" +
			"nobody,{enrolment},Maths,Level 1,2025-01-06,2025-06-27,Achieved,HMP Example\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, file string) {
		// Each good row costs a signature and several synced writes: keep
		// a file to a few rows, and the inbox small.
		if strings.Count(file, "\n") > 8 {
			return
		}
		if len(leaver.seen) > 200 {
			newLeaver(t)
		}
		file = strings.NewReplacer("{enrolment}", leaver.enrolment, "{other}", leaver.other).Replace(file)
		results, err := s.IssueCSV(ctx, "hmp-example", strings.NewReader(file))
		var inv *issuer.InvalidError
		if err != nil && !errors.As(err, &inv) {
			t.Fatalf("IssueCSV(%q) = %v, want an *InvalidError", file, err)
		}
		if err != nil && results == nil {
			return // the header is refused: nothing was issued
		}
		rows := csvRows(file)
		if len(results) != len(rows) {
			t.Fatalf("IssueCSV(%q): %d outcomes for %d rows: %+v", file, len(results), len(rows), results)
		}
		issued := map[string][]string{}
		for i, r := range results {
			if r.Row != i+1 {
				t.Fatalf("IssueCSV(%q): outcome %d is for row %d", file, i+1, r.Row)
			}
			if r.Issued == (r.Error != "") || r.Issued != (r.ID != "") {
				t.Fatalf("IssueCSV(%q): row %d's outcome is both or neither: %+v", file, r.Row, r)
			}
			if r.Issued {
				issued["urn:uuid:"+r.ID] = rows[i].fields
			}
		}
		checkInbox(t, s, pods, &leaver, issued)
		for i, r := range results {
			if why := badRow(rows[i], leaver.enrolment); r.Issued && why != "" {
				t.Fatalf("IssueCSV(%q): row %d was issued, but %s", file, r.Row, why)
			}
		}
	})
}

// csvRow is one row of a file as a plain CSV reader sees it: its fields by
// column name, or the error reading it.
type csvRow struct {
	fields []string // CSVColumns order
	err    error
}

// csvRows reads file's rows after the header.
func csvRows(file string) []csvRow {
	r := csv.NewReader(strings.NewReader(file))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var rows []csvRow
	for len(rows) < issuer.MaxCSVRows {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		row := csvRow{err: err}
		for _, name := range issuer.CSVColumns {
			v := ""
			if i, ok := col[name]; ok && i < len(rec) {
				v = rec[i]
			}
			row.fields = append(row.fields, v)
		}
		rows = append(rows, row)
	}
	return rows
}

// badRow says what is wrong with a row that should not have been issued,
// or "" if it is good.
func badRow(r csvRow, enrolment string) string {
	if r.err != nil {
		return "it is not valid CSV: " + r.err.Error()
	}
	get := map[string]string{}
	for i, name := range issuer.CSVColumns {
		v := r.fields[i]
		if !utf8.ValidString(v) {
			return name + " is not UTF-8"
		}
		for _, c := range v {
			if unicode.IsControl(c) {
				return name + " holds a control character"
			}
		}
		get[name] = strings.TrimSpace(v)
	}
	if get["enrolment"] != enrolment {
		return "its enrolment is not one of this organisation's"
	}
	for _, need := range []string{"course_name", "level", "outcome", "establishment"} {
		if get[need] == "" {
			return need + " is empty"
		}
	}
	start, err1 := time.Parse(time.DateOnly, get["learning_start"])
	end, err2 := time.Parse(time.DateOnly, get["learning_end"])
	if err1 != nil || err2 != nil || end.Before(start) {
		return "its dates are not dates in order"
	}
	switch strings.ToLower(get["accredited"]) {
	case "", "no", "n", "false", "0", "yes", "y", "true", "1":
	default:
		return "accredited is neither yes nor no"
	}
	return ""
}

// checkInbox checks that the credentials just issued, and nothing else,
// arrived in the leaver's inbox, and that each verifies as issued.
func checkInbox(t *testing.T, s *issuer.Service, pods *pod.Service, l *csvLeaver, issued map[string][]string) {
	t.Helper()
	ctx := context.Background()
	_, members, err := pods.List(ctx, l.pod, "inbox/")
	if err != nil {
		t.Fatal(err)
	}
	arrived := 0
	for _, m := range members {
		if l.seen[m.Name] {
			continue
		}
		l.seen[m.Name] = true
		arrived++
		_, rc, err := pods.Get(ctx, l.pod, pod.Path("inbox/").Child(m.Name))
		if err != nil {
			t.Fatal(err)
		}
		var vc map[string]any
		err = json.NewDecoder(rc).Decode(&vc)
		rc.Close()
		if err != nil {
			t.Fatalf("inbox/%s: %v", m.Name, err)
		}
		id, _ := vc["id"].(string)
		row, ok := issued[id]
		if !ok {
			t.Fatalf("inbox/%s (%s) arrived, but no row says it was issued", m.Name, id)
		}
		subject, _ := vc["credentialSubject"].(map[string]any)
		if title, _ := subject["title"].(string); title != strings.TrimSpace(row[1]) && utf8.ValidString(row[1]) {
			t.Fatalf("inbox/%s: title %q, but the row's course is %q", m.Name, title, row[1])
		}
		if v := s.Verify(ctx, vc); !v.Valid {
			t.Fatalf("inbox/%s, issued from %q, does not verify: %+v", m.Name, row, v)
		}
	}
	if arrived != len(issued) {
		t.Fatalf("%d credentials issued, %d arrived", len(issued), arrived)
	}
}

// A row whose text is not plain text is refused with a reason, before
// anything is signed: found by FuzzIssueCSV, where bytes that are not
// UTF-8 were issued as "\uFFFD" (the credential no longer said what the
// row did) and line breaks and C1 controls were signed into credentials.
func TestIssueCSVRefusesTextThatIsNotText(t *testing.T) {
	ctx := context.Background()
	pods, cust := podtest.New(t)
	s, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrg(ctx, "hmp-example", "HMP Example Education"); err != nil {
		t.Fatal(err)
	}
	id, _ := pods.CreatePod(ctx)
	e, err := s.Enrol(ctx, id, "hmp-example", "Jo Bloggs")
	if err != nil {
		t.Fatal(err)
	}
	row := func(course, grade string) string {
		return e.ID + "," + course + ",,yes,,Level 1,2025-01-06,2025-06-27,Achieved," + grade + ",HMP Example\n"
	}
	file := csvHeader + row("Functional Skills \xff English", "") + row(`"Functional Skills`+"\n"+`English"`, "") +
		row("Maths", "Pa\u0085ss") + row("Maths", "Pass\t") + row("Functional Skills English", "Pass")
	results, err := s.IssueCSV(ctx, "hmp-example", strings.NewReader(file))
	if err != nil || len(results) != 5 {
		t.Fatalf("IssueCSV = %+v, %v", results, err)
	}
	for _, r := range results[:3] {
		if r.Issued || !strings.Contains(r.Error, "not text") {
			t.Errorf("row %d: %+v, want refused as not text", r.Row, r)
		}
	}
	if !results[3].Issued || !results[4].Issued {
		t.Errorf("good rows (a trailing tab is trimmed) were refused: %+v", results[3:])
	}
}
