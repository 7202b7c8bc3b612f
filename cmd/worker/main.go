package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/grantwatch/grantwatch/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}
