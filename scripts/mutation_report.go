//go:build ignore

// mutation_report prints scripts/mutation's table from gremlins' JSON output
// (one file per package), taking the mutants listed in the equivalent file
// out of "lived":
//
//	go run scripts/mutation_report.go -equivalent scripts/mutation.equivalent \
//		-total SECONDS DIR=FILE.json=SECONDS ...
//
// It exits 1 if a package is below test efficacy 95% or mutator coverage
// 85%.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

const (
	minEfficacy = 95.0
	minCoverage = 85.0
)

// result is the part of gremlins' --output JSON that is read here.
type result struct {
	Files []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

type counts struct {
	killed, lived, equivalent, notCovered, timedOut, notViable int
}

func (c counts) efficacy() float64 {
	if c.killed+c.lived == 0 {
		return 100
	}
	return 100 * float64(c.killed) / float64(c.killed+c.lived)
}

func (c counts) coverage() float64 {
	covered := c.killed + c.lived + c.equivalent
	if covered+c.notCovered == 0 {
		return 100
	}
	return 100 * float64(covered) / float64(covered+c.notCovered)
}

func main() {
	eqFile := flag.String("equivalent", "", "file listing equivalent mutants")
	total := flag.Int("total", 0, "seconds the whole run took")
	flag.Parse()
	equivalent, err := readEquivalent(*eqFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutation_report:", err)
		os.Exit(1)
	}
	seen := map[string]bool{}
	var lived []string
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tkilled\tlived\tequivalent\tnot covered\ttimed out\tnot viable\tefficacy\tcoverage\ttime\t")
	below := false
	for _, arg := range flag.Args() {
		parts := strings.Split(arg, "=")
		if len(parts) != 3 {
			fmt.Fprintf(os.Stderr, "mutation_report: want DIR=FILE=SECONDS, got %q\n", arg)
			os.Exit(2)
		}
		dir, file := parts[0], parts[1]
		secs, _ := strconv.Atoi(parts[2])
		var r result
		b, err := os.ReadFile(file)
		if err == nil {
			err = json.Unmarshal(b, &r)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "mutation_report:", err)
			os.Exit(1)
		}
		var c counts
		for _, f := range r.Files {
			for _, m := range f.Mutations {
				key := fmt.Sprintf("%s:%d:%d %s", path.Join(dir, f.Name), m.Line, m.Column, m.Type)
				switch m.Status {
				case "KILLED":
					c.killed++
				case "LIVED":
					if _, ok := equivalent[key]; ok {
						c.equivalent++
						seen[key] = true
					} else {
						c.lived++
						lived = append(lived, key)
					}
				case "NOT COVERED":
					c.notCovered++
				case "TIMED OUT":
					c.timedOut++
				case "NOT VIABLE":
					c.notViable++
				}
			}
		}
		mark := ""
		if c.efficacy() < minEfficacy || c.coverage() < minCoverage {
			mark = " *"
			below = true
		}
		fmt.Fprintf(tw, "%s%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f%%\t%.1f%%\t%ds\t\n", dir, mark,
			c.killed, c.lived, c.equivalent, c.notCovered, c.timedOut, c.notViable,
			c.efficacy(), c.coverage(), secs)
		for key := range equivalent {
			if strings.HasPrefix(key, dir+"/") && !strings.Contains(strings.TrimPrefix(key, dir+"/"), "/") && !seen[key] {
				fmt.Fprintf(os.Stderr, "mutation_report: %s is listed as equivalent but did not live (stale line?)\n", key)
			}
		}
	}
	tw.Flush()
	fmt.Printf("total time: %ds\n", *total)
	if below {
		fmt.Printf("* below test efficacy %.0f%% or mutator coverage %.0f%%\n", minEfficacy, minCoverage)
	}
	if len(lived) > 0 {
		sort.Strings(lived)
		fmt.Println("\nlived (not listed in the equivalent file):")
		for _, l := range lived {
			fmt.Println("  " + l)
		}
	}
	if below {
		os.Exit(1)
	}
}

// readEquivalent reads "file:line:column MUTATOR — why" lines; blank lines
// and lines starting with # are skipped.
func readEquivalent(name string) (map[string]string, error) {
	m := map[string]string{}
	if name == "" {
		return m, nil
	}
	f, err := os.Open(name)
	if os.IsNotExist(err) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 {
			return nil, fmt.Errorf("%s:%d: want \"file:line:column MUTATOR — why\"", name, n)
		}
		m[fields[0]+" "+fields[1]] = strings.Join(fields[2:], " ")
	}
	return m, sc.Err()
}
