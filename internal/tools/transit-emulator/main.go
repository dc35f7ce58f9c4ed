// Command transit-emulator serves the Vault Transit emulator
// (vault/transittest) on a free loopback port until it is interrupted, for
// scripts that run satchel serve with --keys vault://... where no Vault
// server can be installed (scripts/cluster). It is not Vault: keys live in
// its memory and die with it.
//
// It prints two lines a shell can source, then serves:
//
//	VAULT_ADDR=http://127.0.0.1:PORT
//	VAULT_TOKEN=hvs....
//
// The token holds only the policy "satchel keys policy" prints (Transit at
// "transit", keys named satchel-...), lasts an hour and is renewable, as an
// operator would issue it.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/satchel-project/satchel/vault/transit"
	"github.com/satchel-project/satchel/vault/transittest"
)

func main() {
	s := transittest.NewServer()
	defer s.Close()
	if err := s.SetPolicy("satchel", transit.Policy("", "")); err != nil {
		fmt.Fprintln(os.Stderr, "transit-emulator:", err)
		os.Exit(1)
	}
	tok := s.NewToken(transittest.TokenOptions{Policies: []string{"satchel"}, TTL: time.Hour, Renewable: true})
	fmt.Printf("VAULT_ADDR=%s\nVAULT_TOKEN=%s\n", s.URL, tok)
	os.Stdout.Sync()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
