-- Adds members to an existing group, all or none.
-- KEYS[1] sb:group:{g}   KEYS[2] sb:group:{g}:members
-- ARGV[1] max members   ARGV[2..] users
-- Returns the new member count, -1 when the group does not exist, -2 when the group would exceed
-- the maximum (nothing changed).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local new = 0
for i = 2, #ARGV do
  if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 0 then
    new = new + 1
  end
end
if redis.call('SCARD', KEYS[2]) + new > tonumber(ARGV[1]) then
  return -2
end
for i = 2, #ARGV, 500 do
  redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(#ARGV, i + 499)))
end
return redis.call('SCARD', KEYS[2])
