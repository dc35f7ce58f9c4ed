package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/web/lang"
)

// runResetCode gives a person who has forgotten their password, and has
// no helper who may reset it, a one-time code to make a new one. Whoever
// runs it has checked the person's identity face to face; their name goes
// into the person's access log, so that a code given to someone else is
// seen in Who has looked.
func runResetCode(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "account reset-code", "--username NAME --checked-by \"Your Name, Organisation\" [--data DIR] [--base-url URL]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	username := fs.String("username", "", "the account whose owner needs a new password")
	by := fs.String("checked-by", "", "who checked, in person, that this is the account's owner (shown to them in Who has looked)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || strings.TrimSpace(*by) == "" {
		return usagef("check the person's identity in person first, then: satchel account reset-code --username NAME --checked-by \"Your Name, Organisation\"")
	}
	b, err := openBackend(ctx, env, &f)
	if err != nil {
		return err
	}
	a, code, err := b.Web.IssueResetCode(ctx, *username, *by)
	if errors.Is(err, account.ErrNoAccount) {
		return fmt.Errorf("there is no account called %q", *username)
	}
	if err != nil {
		return err
	}
	codeSheet(env, b.Config.BaseURL+"/reset", a, code, "a code", "make a new password")
	return nil
}

// codeSheet prints what to give the owner of account a, in person: where
// to go, their username and the one-time code, and until when it works.
func codeSheet(env *Env, where string, a account.Account, code account.Reset, what, todo string) {
	w := env.Stdout
	fmt.Fprintf(w, "Give this to %s in person. Do not send it by email or message.\n\n", a.DisplayName)
	fmt.Fprintf(w, "  Go to:     %s\n", where)
	fmt.Fprintf(w, "  Username:  %s\n", a.Username)
	fmt.Fprintf(w, "  Code:      %s\n\n", code.Code)
	fmt.Fprintf(w, "This is %s. It works once, until %s, to %s.\n", what, lang.English.DateTime(code.Expires), todo)
}
