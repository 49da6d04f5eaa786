// probe is a tiny network test helper for pods on the real node (the
// images hold no shell or curl):
//
//	probe serve PORT          answer every TCP connection with "ok <hostname>\n"
//	probe connect HOST:PORT   dial once (3 s timeout), print the answer; exit 1 on failure
//	probe resolve NAME        resolve NAME through the pod's /etc/resolv.conf; exit 1 on failure
//	probe sleep               do nothing until killed
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: probe serve PORT | connect HOST:PORT | resolve NAME | sleep")
	}
	switch os.Args[1] {
	case "serve":
		serve(arg(2))
	case "connect":
		connect(arg(2))
	case "resolve":
		resolve(arg(2))
	case "sleep":
		waitForSignal()
	default:
		fail("unknown command " + os.Args[1])
	}
}

func arg(i int) string {
	if len(os.Args) <= i {
		fail("missing argument")
	}
	return os.Args[i]
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "probe:", msg)
	os.Exit(1)
}

func waitForSignal() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	<-sigs
}

func serve(port string) {
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		fail(err.Error())
	}
	host, _ := os.Hostname()
	fmt.Println("listening on", ln.Addr())
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Println("connection from", c.RemoteAddr())
			_, _ = fmt.Fprintf(c, "ok %s\n", host)
			_ = c.Close()
		}
	}()
	waitForSignal()
}

func connect(addr string) {
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		fail(err.Error())
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil {
		fail(err.Error())
	}
	fmt.Print(string(b))
}

func resolve(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, name)
	if err != nil {
		fail(err.Error())
	}
	for _, a := range addrs {
		fmt.Println(a)
	}
}
