// Package cli is the satchel command: "serve" runs the server, "account"
// manages accounts on the server's data directory, and login, ls, put, get
// and rm are a small client for one's own pod. Errors are plain sentences.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Env is what a command may touch of the outside world; tests replace it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// ReadPassword prompts for a password without echo (nil: stdin lines).
	ReadPassword func(prompt string) (string, error)
	// ConfigDir is where the client keeps its session (default: the user's
	// configuration directory).
	ConfigDir string
}

type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, env *Env, args []string) error) {
	commands[name] = command{summary, run}
}

// Main runs the satchel command with args (without the program name) and
// returns the exit status.
func Main(ctx context.Context, env *Env, args []string) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "satchel: there is no command called %q. Run \"satchel help\" to see the commands.\n", args[0])
		return 2
	}
	if err := cmd.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(env.Stderr, "satchel %s: %s\n", args[0], u.msg)
			return 2
		}
		fmt.Fprintf(env.Stderr, "satchel %s: %s\n", args[0], sentence(err.Error()))
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "satchel keeps a prison leaver's documents and records, encrypted, and shares them on their say-so.")
	fmt.Fprintln(w, "\nUsage: satchel COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"satchel COMMAND -h\" for a command's flags.")
}

// usageError is a mistake in how a command was called (exit status 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// sentence makes an error message read as a sentence: capital first letter,
// full stop at the end.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "Something went wrong."
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// flags returns a flag set for a command that reports errors as usage
// errors instead of exiting.
func flags(env *Env, name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: satchel %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// envOr returns the environment variable name if set, else def.
func envOr(env *Env, name, def string) string {
	if v := env.Getenv(name); v != "" {
		return v
	}
	return def
}

// password reads a password from SATCHEL_PASSWORD, else by prompting.
func password(env *Env, prompt string) (string, error) {
	if p := env.Getenv("SATCHEL_PASSWORD"); p != "" {
		return p, nil
	}
	if env.ReadPassword != nil {
		return env.ReadPassword(prompt)
	}
	return "", errors.New("set SATCHEL_PASSWORD or run this in a terminal to type the password")
}
