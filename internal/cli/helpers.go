package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/satchel-project/satchel/consent"
)

func init() {
	register("helpers", "choose who may help you: satchel helpers add|list|remove|chosen", runHelpers)
}

func runHelpers(ctx context.Context, env *Env, args []string) error {
	use := usagef("use: satchel helpers add USERNAME --can view,add,share | satchel helpers list | satchel helpers remove USERNAME | satchel helpers chosen")
	if len(args) == 0 {
		return use
	}
	fs := flags(env, "helpers "+args[0], "")
	can := fs.String("can", "view", "what the helper may do: view, add (documents), share and/or reset (start a password reset), separated by commas")
	rest, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	api := c.sess.Server + "/api/v1"
	switch {
	case args[0] == "add" && len(rest) == 1:
		rights, err := consent.ParseRights(*can)
		if err != nil {
			return usagef("--can: %v", err)
		}
		body, _ := json.Marshal(map[string]any{"username": rest[0], "rights": rights})
		var d consent.Delegation
		if err := c.call(ctx, http.MethodPost, api+"/helpers", body, &d); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s (%s) can now %s. Take it back at any time with: satchel helpers remove %s\n",
			clean(d.HelperName), clean(d.HelperUser), rightsWords(d.Rights), clean(d.HelperUser))
	case args[0] == "list" && len(rest) == 0:
		var out struct{ Helpers []consent.Delegation }
		if err := c.call(ctx, http.MethodGet, api+"/helpers", nil, &out); err != nil {
			return err
		}
		if len(out.Helpers) == 0 {
			fmt.Fprintln(env.Stdout, "You have not chosen any helpers.")
		}
		for _, d := range out.Helpers {
			fmt.Fprintf(env.Stdout, "%s (%s) can %s.\n", clean(d.HelperName), clean(d.HelperUser), rightsWords(d.Rights))
		}
	case args[0] == "remove" && len(rest) == 1:
		if err := c.call(ctx, http.MethodDelete, api+"/helpers/"+url.PathEscape(rest[0]), nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s can no longer act in your pod.\n", rest[0])
	case args[0] == "chosen" && len(rest) == 0:
		var out struct {
			ChosenBy []struct {
				LeaverName string          `json:"leaverName"`
				Pod        string          `json:"pod"`
				Rights     []consent.Right `json:"rights"`
			} `json:"chosenBy"`
		}
		if err := c.call(ctx, http.MethodGet, api+"/chosen", nil, &out); err != nil {
			return err
		}
		if len(out.ChosenBy) == 0 {
			fmt.Fprintln(env.Stdout, "Nobody has chosen you as a helper yet.")
		}
		for _, ch := range out.ChosenBy {
			fmt.Fprintf(env.Stdout, "%s chose you to %s. Their pod: %s\n", clean(ch.LeaverName), rightsWords(ch.Rights), clean(ch.Pod))
		}
	default:
		return use
	}
	return nil
}

func rightsWords(rs []consent.Right) string {
	var words []string
	for _, r := range rs {
		words = append(words, consent.RightWords[r])
	}
	switch len(words) {
	case 0:
		return "do nothing"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
