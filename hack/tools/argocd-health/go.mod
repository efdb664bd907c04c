// argocd-health: gopher-lua, the Lua interpreter Argo CD embeds, pinned. Built by hack/tools/build.sh.
module svctokens.dev/hack/tools/argocd-health

go 1.26.0

require github.com/yuin/gopher-lua v1.1.2
