// flux-apply applies a directory of manifests the way Flux's kustomize-controller does, with
// Flux's own apply library (github.com/fluxcd/pkg/ssa): one server-side dry-run of the whole
// set, then ApplyAllStaged, then WaitForSet until every object is Current by kstatus. It exits
// non-zero when an apply fails, an object fails, or the wait times out: what a Flux
// Kustomization with `wait: true` would report as not Ready.
//
// Usage: flux-apply -kubeconfig FILE -dir DIR [-timeout 60s] [-interval 1s]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/pkg/ssa"
	"github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster to apply to")
	dir := flag.String("dir", "", "directory of *.yaml manifests (one set, as a Kustomization's output)")
	timeout := flag.Duration("timeout", 60*time.Second, "how long WaitForSet waits for every object to be Current")
	interval := flag.Duration("interval", time.Second, "how often WaitForSet polls")
	flag.Parse()
	if *kubeconfig == "" || *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*kubeconfig, *dir, *timeout, *interval); err != nil {
		fmt.Fprintln(os.Stderr, "flux-apply:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, dir string, timeout, interval time.Duration) error {
	objects, err := readDir(dir)
	if err != nil {
		return err
	}
	manager, err := resourceManager(kubeconfig)
	if err != nil {
		return err
	}
	// The labels kustomize-controller puts on what it applies.
	manager.SetOwnerLabels(objects, "svctokens", "flux-system")

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	options := ssa.DefaultApplyOptions()
	options.WaitTimeout = timeout
	changes, err := manager.ApplyAllStaged(ctx, objects, options)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	for _, entry := range changes.Entries {
		fmt.Println(entry.String())
	}
	err = manager.WaitForSet(changes.ToObjMetadataSet(), ssa.WaitOptions{
		Interval: interval,
		Timeout:  timeout,
		FailFast: true,
	})
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	fmt.Println("all objects are Current")
	return nil
}

// readDir reads every *.yaml and *.json file of dir, in name order.
func readDir(dir string) ([]*unstructured.Unstructured, error) {
	var paths []string
	for _, pattern := range []string{"*.yaml", "*.yml", "*.json"} {
		matches, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		paths = append(paths, matches...)
	}
	sort.Strings(paths)
	var objects []*unstructured.Unstructured
	for _, path := range paths {
		file, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		read, err := utils.ReadObjects(file)
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		objects = append(objects, read...)
	}
	if len(objects) == 0 {
		return nil, fmt.Errorf("no manifests in %s", dir)
	}
	return objects, nil
}

// resourceManager builds the client, REST mapper and kstatus poller as kustomize-controller does.
func resourceManager(kubeconfig string) (*ssa.ResourceManager, error) {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, err
	}
	mapper, err := apiutil.NewDynamicRESTMapper(config, httpClient)
	if err != nil {
		return nil, err
	}
	kubeClient, err := client.New(config, client.Options{Mapper: mapper})
	if err != nil {
		return nil, err
	}
	poller := polling.NewStatusPoller(kubeClient, mapper, polling.Options{})
	return ssa.NewResourceManager(kubeClient, poller, ssa.Owner{
		Field: "kustomize-controller",
		Group: "kustomize.toolkit.fluxcd.io",
	}), nil
}
