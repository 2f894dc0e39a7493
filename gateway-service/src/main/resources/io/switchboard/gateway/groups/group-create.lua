-- Creates a group with its first members, unless it exists.
-- KEYS[1] sb:group:{g} (hash: created = epoch ms, Redis clock)   KEYS[2] sb:group:{g}:members (set)
-- ARGV[1] max members   ARGV[2..] members
-- Returns 1 created, 0 the group exists (nothing changed), -1 too many members (nothing changed).
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
if #ARGV - 1 > tonumber(ARGV[1]) then
  return -1
end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'created', t[1] * 1000 + math.floor(t[2] / 1000))
for i = 2, #ARGV, 500 do
  redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(#ARGV, i + 499)))
end
return 1
