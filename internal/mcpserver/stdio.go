package mcpserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ServeStdio serves one session on r and w (newline-delimited JSON-RPC) until r ends or ctx
// is cancelled. Nothing else may write to w.
//
// The SDK's stdio transport ends the session on the first line it cannot decode (a syntax
// error, a message that is not JSON-RPC 2.0, an id of the wrong type, a line over the
// limit: go-sdk issue 1209), so one bad line from a client would take the agent's memory
// away for the rest of its run. Each line is therefore checked here with the SDK's own
// decoder first: a bad one is answered with a JSON-RPC error (-32700 parse error, -32600
// invalid request) and the session goes on.
func ServeStdio(ctx context.Context, srv *mcp.Server, r io.Reader, w io.Writer) error {
	lw := &lockedWriter{w: w}
	pr, pw := io.Pipe()
	go func() { _ = pw.CloseWithError(filterFrames(r, pw, lw)) }()
	defer pr.Close() // unblocks the filter if the session ends first
	t := &mcp.IOTransport{Reader: pr, Writer: nopWriteCloser{lw}, MaxLineLength: MaxLineBytes}
	err := srv.Run(ctx, t)
	if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// lockedWriter keeps the SDK's messages and the filter's error answers whole: each is one
// Write of one line.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// filterFrames copies the lines of r that decode as JSON-RPC messages (or batches of them)
// to out and answers every other line on reply. It returns nil at the end of r.
func filterFrames(r io.Reader, out io.Writer, reply io.Writer) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var f frameFilter
	var line []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineBytes+2 { // +2: the line's own "\r\n"
			tooLong, line = true, line[:0] // the rest of the line is read and dropped
		} else if !tooLong {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if msg := f.check(line, tooLong); msg != nil {
			if _, werr := reply.Write(msg); werr != nil {
				return werr
			}
		} else if frame := bytes.TrimSpace(line); len(frame) > 0 {
			if _, werr := out.Write(append(frame, '\n')); werr != nil {
				return werr
			}
		}
		if err != nil { // io.EOF
			return nil
		}
		line, tooLong = line[:0], false
	}
}

// frameFilter remembers the protocol version the client asked for in its initialize request:
// from 2025-06-18 on, batches are not part of the protocol and the SDK ends the session on one.
type frameFilter struct{ version string }

// batchesEnd is the first protocol version without JSON-RPC batches.
const batchesEnd = "2025-06-18"

// check returns nil for a line the SDK can decode (or a blank one), else the JSON-RPC error
// answer to write for it.
func (f *frameFilter) check(line []byte, tooLong bool) []byte {
	if tooLong {
		return errorAnswer(nil, -32600, fmt.Sprintf("Invalid Request: a message is at most %d bytes", MaxLineBytes))
	}
	frame := bytes.TrimSpace(line)
	if len(frame) == 0 {
		return nil
	}
	if !json.Valid(frame) {
		return errorAnswer(nil, -32700, "Parse error: the line is not valid JSON")
	}
	var batch []json.RawMessage
	if json.Unmarshal(frame, &batch) == nil {
		if len(batch) == 0 {
			return errorAnswer(nil, -32600, "Invalid Request: empty batch")
		}
		if f.version >= batchesEnd {
			return errorAnswer(nil, -32600, "Invalid Request: JSON-RPC batches are not part of protocol version "+f.version)
		}
		for _, m := range batch {
			if _, err := jsonrpc.DecodeMessage(m); err != nil {
				return errorAnswer(nil, -32600, "Invalid Request: "+err.Error())
			}
		}
		return nil
	}
	msg, err := jsonrpc.DecodeMessage(frame)
	if err != nil {
		return errorAnswer(frameID(frame), -32600, "Invalid Request: "+err.Error())
	}
	if req, ok := msg.(*jsonrpc.Request); ok && req.Method == "initialize" {
		var p struct {
			ProtocolVersion string `json:"protocolVersion"`
		}
		if json.Unmarshal(req.Params, &p) == nil {
			f.version = p.ProtocolVersion
		}
	}
	return nil
}

// frameID is the id of a refused message when it is one a client can match (a string or a
// number), else nil (JSON null).
func frameID(frame []byte) json.RawMessage {
	var m struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(frame, &m) != nil || len(m.ID) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(m.ID, &v) != nil {
		return nil
	}
	switch v.(type) {
	case string, float64:
		return m.ID
	}
	return nil
}

func errorAnswer(id json.RawMessage, code int, message string) []byte {
	if id == nil {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, message}})
	return append(b, '\n')
}
