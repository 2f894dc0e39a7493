-- Reads a group's members.
-- KEYS[1] sb:group:{g}   KEYS[2] sb:group:{g}:members
-- Returns {} when the group does not exist, else {1, member, member, ...} (unordered).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
local reply = redis.call('SMEMBERS', KEYS[2])
table.insert(reply, 1, 1)
return reply
