// argocd-health runs an Argo CD health check (a `health.lua` of resource.customizations)
// against objects, in the environment Argo CD gives custom health scripts: gopher-lua (the
// interpreter Argo CD embeds) with only the package, base and table libraries opened, the
// object as the global `obj`, and a returned table whose `status` must be one of Argo CD's
// health codes.
//
// Usage: argocd-health SCRIPT.lua [FILE.json ...]   (stdin when no file is named)
// Input: JSON, one object or a List (`kubectl get -o json`). Output: one JSON line per object:
// {"kind","namespace","name","status","message"}.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	lua "github.com/yuin/gopher-lua"
)

// The health codes Argo CD accepts from a script; anything else becomes Unknown.
var validStatus = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true,
	"Suspended": true, "Missing": true, "Unknown": true,
}

type verdict struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Message   string `json:"message"`
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: argocd-health SCRIPT.lua [FILE.json ...]"))
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	var inputs []io.Reader
	for _, path := range os.Args[2:] {
		file, err := os.Open(path)
		if err != nil {
			fail(err)
		}
		defer file.Close()
		inputs = append(inputs, file)
	}
	if len(inputs) == 0 {
		inputs = []io.Reader{os.Stdin}
	}
	out := json.NewEncoder(os.Stdout)
	for _, input := range inputs {
		objects, err := readObjects(input)
		if err != nil {
			fail(err)
		}
		for _, object := range objects {
			status, message, err := health(string(script), object)
			if err != nil {
				fail(err)
			}
			metadata, _ := object["metadata"].(map[string]any)
			kind, _ := object["kind"].(string)
			name, _ := metadata["name"].(string)
			namespace, _ := metadata["namespace"].(string)
			if err := out.Encode(verdict{kind, namespace, name, status, message}); err != nil {
				fail(err)
			}
		}
	}
}

// health runs the script with `obj` set, as Argo CD's lua VM does for a custom health check.
func health(script string, object map[string]any) (string, string, error) {
	state := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer state.Close()
	for _, library := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		fn := state.NewFunction(library.open)
		if err := state.CallByParam(lua.P{Fn: fn, Protect: true}, lua.LString(library.name)); err != nil {
			return "", "", err
		}
	}
	state.SetGlobal("obj", toLua(state, object))
	if err := state.DoString(script); err != nil {
		return "", "", err
	}
	result, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		return "", "", fmt.Errorf("expected a table from the script, got %s", state.Get(-1).Type())
	}
	status := lua.LVAsString(result.RawGetString("status"))
	message := lua.LVAsString(result.RawGetString("message"))
	if !validStatus[status] {
		return "Unknown", "Lua returned an invalid health status", nil
	}
	return status, message, nil
}

// toLua converts decoded JSON to Lua values the way Argo CD does: objects and arrays become
// tables, numbers LNumber, null nil.
func toLua(state *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		table := state.CreateTable(len(v), 0)
		for _, item := range v {
			table.Append(toLua(state, item))
		}
		return table
	case map[string]any:
		table := state.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetString(key, toLua(state, item))
		}
		return table
	}
	return lua.LNil
}

// readObjects decodes one JSON document: an object, or a List whose items are objects.
func readObjects(input io.Reader) ([]map[string]any, error) {
	var document map[string]any
	if err := json.NewDecoder(input).Decode(&document); err != nil {
		return nil, err
	}
	items, isList := document["items"].([]any)
	if !isList {
		return []map[string]any{document}, nil
	}
	objects := make([]map[string]any, 0, len(items))
	for _, item := range items {
		if object, ok := item.(map[string]any); ok {
			objects = append(objects, object)
		}
	}
	return objects, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "argocd-health:", err)
	os.Exit(1)
}
