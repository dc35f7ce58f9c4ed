package cli

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// logLayout is how the access log writes a time, in the local time zone.
const logLayout = "Monday 2 January 2006 at 3:04pm"

// logEntry is one line of the access log as the consent API sends it.
type logEntry struct {
	Type      string `json:"type"`
	Grant     string `json:"grant"`
	Recipient struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"recipient"`
	Who      string    `json:"who"`
	Resource string    `json:"resource"`
	Field    string    `json:"field"`
	At       time.Time `json:"at"`
	Views    int       `json:"views"`
}

func runLog(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "log", "")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("satchel log takes no arguments.")
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(ctx, shortTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.sess.Server+"/api/v1/log", nil)
	if err != nil {
		return err
	}
	var log struct {
		Entries []logEntry `json:"entries"`
	}
	if err := c.doJSON(req, &log); err != nil {
		return err
	}
	if len(log.Entries) == 0 {
		fmt.Fprintln(env.Stderr, "Nobody has opened anything you shared yet.")
		return nil
	}
	// The log says how many views a share had; the share says how many
	// it allows.
	maxViews := map[string]int{}
	for _, e := range log.Entries {
		if e.Type != "view" {
			continue
		}
		shares, err := c.listShares(ctx)
		if err != nil {
			return err
		}
		for _, sh := range shares {
			maxViews[sh.ID] = sh.MaxViews
		}
		break
	}
	sort.SliceStable(log.Entries, func(i, j int) bool { return log.Entries[i].At.After(log.Entries[j].At) })
	for _, e := range log.Entries {
		fmt.Fprintln(env.Stdout, logSentence(e, maxViews[e.Grant], time.Local))
	}
	return nil
}

// logSentence writes one access-log entry as a sentence, with its time in
// loc. maxViews is the limit of the entry's share (0: none or unknown).
func logSentence(e logEntry, maxViews int, loc *time.Location) string {
	at := e.At.In(loc).Format(logLayout)
	recipient, who := clean(e.Recipient.Name), clean(e.Who)
	helper := "Your helper"
	if who != "" {
		helper = who + ", your helper,"
	}
	switch e.Type {
	case "view", "":
		name := recipient
		switch {
		case who != "" && recipient == "":
			name = who
		case who != "" && who != recipient:
			name = fmt.Sprintf("%s (for %s)", who, recipient)
		case name == "":
			name = "Someone"
		}
		what := "what you shared"
		if r := clean(e.Resource); r != "" {
			what = r
		}
		if f := clean(e.Field); f != "" {
			what = f + " of " + what
		}
		views := ""
		switch {
		case e.Views > 0 && maxViews > 0:
			views = fmt.Sprintf(" (view %d of %d)", e.Views, maxViews)
		case e.Views > 0:
			views = fmt.Sprintf(" (view %d)", e.Views)
		}
		return fmt.Sprintf("%s looked at %s on %s%s.", name, what, at, views)
	case "share":
		return fmt.Sprintf("%s shared some of your records with %s on %s.", helper, recipientText(shareView{Recipient: e.Recipient}), at)
	case "revoke":
		return fmt.Sprintf("%s withdrew your share with %s on %s.", helper, recipient, at)
	case "helper-view":
		return fmt.Sprintf("%s looked at %s on %s.", helper, podPlace(e.Resource), at)
	case "helper-add":
		return fmt.Sprintf("%s added %s on %s.", helper, podPlace(e.Resource), at)
	case "helper-change":
		return fmt.Sprintf("%s changed %s on %s.", helper, podPlace(e.Resource), at)
	case "org-add":
		return fmt.Sprintf("%s added %s on %s, before you had your Satchel.", clean(e.Who), podPlace(e.Resource), at)
	}
	if who == "" {
		who = "Someone"
	}
	return fmt.Sprintf("%s used %s on %s (%s).", who, podPlace(e.Resource), at, clean(e.Type))
}

// podPlace names a path in the pod for a sentence.
func podPlace(p string) string {
	if p = clean(p); p == "" {
		return "your pod"
	}
	return p
}
