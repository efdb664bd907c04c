// kstatus-check prints the kstatus verdict (Current, InProgress, Failed, ...) of every object it
// reads, computed by sigs.k8s.io/cli-utils/pkg/kstatus/status: the library Flux, Config Sync
// and `kubectl` plugins use to decide whether an object is healthy.
//
// Input (stdin or the files named as arguments): JSON or YAML, one object, a List (as
// `kubectl get -o json` prints) or a multi-document YAML stream. Output: one JSON line per
// object: {"kind","namespace","name","status","message"}.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type verdict struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

func main() {
	inputs := []io.Reader{os.Stdin}
	if len(os.Args) > 1 {
		inputs = nil
		for _, path := range os.Args[1:] {
			file, err := os.Open(path)
			if err != nil {
				fail(err)
			}
			defer file.Close()
			inputs = append(inputs, file)
		}
	}
	out := json.NewEncoder(os.Stdout)
	for _, input := range inputs {
		objects, err := readObjects(input)
		if err != nil {
			fail(err)
		}
		for _, object := range objects {
			result, err := status.Compute(object)
			if err != nil {
				fail(fmt.Errorf("%s %s: %w", object.GetKind(), object.GetName(), err))
			}
			if err := out.Encode(verdict{
				Kind:      object.GetKind(),
				Namespace: object.GetNamespace(),
				Name:      object.GetName(),
				Status:    result.Status.String(),
				Message:   result.Message,
			}); err != nil {
				fail(err)
			}
		}
	}
}

// readObjects decodes a YAML or JSON stream, flattening Lists into their items. Decoding goes
// through the unstructured JSON scheme so integers stay int64, as kstatus expects.
func readObjects(input io.Reader) ([]*unstructured.Unstructured, error) {
	decoder := utilyaml.NewYAMLOrJSONDecoder(bufio.NewReader(input), 4096)
	var objects []*unstructured.Unstructured
	for {
		var raw json.RawMessage
		if err := decoder.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return objects, nil
			}
			return nil, err
		}
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		decoded, _, err := unstructured.UnstructuredJSONScheme.Decode(raw, nil, nil)
		if err != nil {
			return nil, err
		}
		switch object := decoded.(type) {
		case *unstructured.UnstructuredList:
			for i := range object.Items {
				objects = append(objects, &object.Items[i])
			}
		case *unstructured.Unstructured:
			objects = append(objects, object)
		default:
			return nil, fmt.Errorf("unexpected object %T", decoded)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kstatus-check:", err)
	os.Exit(1)
}
