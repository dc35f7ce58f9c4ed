package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/satchel-project/satchel/examples"
)

func init() {
	register("examples", "put the fictional example pod into yours: satchel examples load", runExamples)
}

func runExamples(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "load" {
		return usagef("use: satchel examples load (after satchel login)")
	}
	fs := flags(env, "examples load", "")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	c, err := connect(env)
	if err != nil {
		return err
	}
	defer c.close()
	files := examples.Files()
	for _, f := range files {
		u, err := c.sess.resolve(f.Path)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(f.Data))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", f.ContentType)
		resp, err := c.do(req)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		resp.Body.Close()
		fmt.Fprintf(env.Stdout, "%s\n", u)
	}
	fmt.Fprintf(env.Stderr, "Loaded the %d files of the example pod (Jo Bloggs, fictional).\n", len(files))
	return nil
}
