// The reference for how a layer is read: Go's archive/tar, applied the way containerd applies a
// layer (containerd/archive/tar.go, applyNaive and createTarFile), into a model of the file
// system rather than a real one. Prints what the layer leaves, one line per path, sorted:
//
//	<path> <type> <mode> <size> <sha256> <link>
//
// with every field tab-separated and paths and link targets escaped as the deskext side escapes
// them (tests/differential/layer_listing_main.cpp). A layer containerd would refuse prints one
// line "refused <reason>" and exits 2; one whose data passes -cap bytes prints "refused cap" and
// exits 3 (deskext's decompression-bomb caps, which containerd does not have).
//
// Usage: go-layer-listing [-cap BYTES] LAYER.tar   (an uncompressed tar)
package main

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

type node struct {
	kind    string // file, dir, symlink, other
	mode    int64
	size    int64
	sha     string
	link    string
	content *content // files: shared by hard links, as an inode is
}

type content struct {
	mode int64
	size int64
	sha  string
}

var errCap = errors.New("cap")

// countingReader counts the tar bytes read, for the cap.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

type applier struct {
	nodes   map[string]*node
	tar     *countingReader
	data    int64 // entry data read, holes of sparse files included
	maxData int64
}

// clean gives the path below the root containerd writes a name to: filepath.Clean, then joined
// to the root, so that ".." never climbs above it and absolute names are taken from the root.
func clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// mkparents creates the missing directories above p with mode 0755, as containerd's mkparent.
func (a *applier) mkparents(p string) error {
	dir := path.Dir(p)
	if dir == "." {
		return nil
	}
	if err := a.mkparents(dir); err != nil {
		return err
	}
	if n, ok := a.nodes[dir]; ok {
		if n.kind != "dir" {
			return fmt.Errorf("%q: parent is not a directory", p)
		}
		return nil
	}
	a.nodes[dir] = &node{kind: "dir", mode: 0755}
	return nil
}

// remove drops p and everything below it (os.RemoveAll).
func (a *applier) remove(p string) {
	delete(a.nodes, p)
	for k := range a.nodes {
		if strings.HasPrefix(k, p+"/") {
			delete(a.nodes, k)
		}
	}
}

func (a *applier) overCap() bool {
	return a.maxData > 0 && (a.data > a.maxData || a.tar.n > a.maxData)
}

// hash reads the current entry's data (sparse holes as zeros), checking the cap as it goes.
func (a *applier) hash(tr *tar.Reader) (int64, string, error) {
	h := sha256.New()
	buf := make([]byte, 256*1024)
	var size int64
	for {
		n, err := tr.Read(buf)
		h.Write(buf[:n])
		size += int64(n)
		a.data += int64(n)
		if a.overCap() {
			return 0, "", errCap
		}
		if err == io.EOF {
			return size, hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return 0, "", err
		}
	}
}

func (a *applier) apply(tr *tar.Reader, hdr *tar.Header) error {
	p := clean(hdr.Name)
	if p == "" {
		return nil // resolves to the root: containerd ignores it
	}
	if err := a.mkparents(p); err != nil {
		return err
	}
	mode := hdr.Mode & 07777
	old, exists := a.nodes[p]
	if exists && !(old.kind == "dir" && hdr.Typeflag == tar.TypeDir) {
		a.remove(p)
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if exists && old.kind == "dir" {
			old.mode = mode
			return nil
		}
		a.nodes[p] = &node{kind: "dir", mode: mode}
	case tar.TypeReg, tar.TypeRegA:
		size, sum, err := a.hash(tr)
		if err != nil {
			return err
		}
		a.nodes[p] = &node{kind: "file", content: &content{mode: mode, size: size, sha: sum}}
	case tar.TypeBlock, tar.TypeChar, tar.TypeFifo:
		a.nodes[p] = &node{kind: "other", mode: mode}
	case tar.TypeLink:
		// os.Link to the target below the root; the link's own mode then applies to the inode.
		target, ok := a.nodes[clean(hdr.Linkname)]
		if !ok || target.kind != "file" {
			return fmt.Errorf("%q: hard link to %q, which is not a regular file", hdr.Name,
				hdr.Linkname)
		}
		target.content.mode = mode
		a.nodes[p] = &node{kind: "file", content: target.content}
	case tar.TypeSymlink:
		a.nodes[p] = &node{kind: "symlink", mode: 0777, link: hdr.Linkname}
	case tar.TypeXGlobalHeader:
		return nil
	default:
		return fmt.Errorf("unhandled tar header type %d", hdr.Typeflag)
	}
	return nil
}

// escape writes bytes outside printable ASCII, and the backslash, as \xNN.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (a *applier) print() {
	paths := make([]string, 0, len(a.nodes))
	for p := range a.nodes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		n := a.nodes[p]
		mode, size, sum := n.mode, n.size, "-"
		if n.content != nil {
			mode, size, sum = n.content.mode, n.content.size, n.content.sha
		}
		link := "-"
		if n.kind == "symlink" {
			link = escape(n.link)
			mode = 0777
		}
		fmt.Printf("%s\t%s\t%04o\t%d\t%s\t%s\n", escape(p), n.kind, mode, size, sum, link)
	}
}

func run(name string, maxData int64) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	a := &applier{nodes: map[string]*node{}, tar: &countingReader{r: f}, maxData: maxData}
	tr := tar.NewReader(a.tar)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := a.apply(tr, hdr); err != nil {
			return err
		}
		if a.overCap() {
			return errCap
		}
	}
	a.print()
	return nil
}

func main() {
	maxData := flag.Int64("cap", 0, "refuse a layer whose tar or data passes this many bytes")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go-layer-listing [-cap BYTES] LAYER.tar")
		os.Exit(64)
	}
	if err := run(flag.Arg(0), *maxData); err != nil {
		if errors.Is(err, errCap) {
			fmt.Println("refused cap")
			os.Exit(3)
		}
		fmt.Printf("refused %s\n", escape(err.Error()))
		os.Exit(2)
	}
}
