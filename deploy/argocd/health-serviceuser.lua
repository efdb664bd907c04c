-- Argo CD health check for svctokens.dev/ServiceUser (resource.customizations.health).
-- Reads the conditions the svctokens controller writes (kstatus conventions):
--   Healthy      Ready=True: Active, or Deactivated as its spec asks (message says which)
--   Progressing  not observed yet
--   Degraded     Stalled=True: a person must act (InvalidSpec)
-- Argo CD runs custom checks with only Lua's base and table libraries: no string functions.
local hs = { status = "Progressing", message = "Waiting for the svctokens controller" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.metadata.generation ~= nil and obj.status.observedGeneration ~= obj.metadata.generation then
  hs.message = "Waiting for the svctokens controller to observe the latest change"
  return hs
end
local conditions = {}
for _, condition in ipairs(obj.status.conditions) do
  conditions[condition.type] = condition
end
local function say(condition)
  return condition.reason .. ": " .. condition.message
end
if conditions.Stalled ~= nil and conditions.Stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = say(conditions.Stalled)
  return hs
end
if conditions.Reconciling ~= nil and conditions.Reconciling.status == "True" then
  hs.message = say(conditions.Reconciling)
  return hs
end
if conditions.Ready ~= nil and conditions.Ready.status == "True" then
  hs.status = "Healthy"
  hs.message = say(conditions.Ready)
  return hs
end
if conditions.Ready ~= nil then
  hs.message = say(conditions.Ready)
end
return hs
