-- Removes a member from an existing group.
-- KEYS[1] sb:group:{g}   KEYS[2] sb:group:{g}:members   ARGV[1] user
-- Returns 1 removed, 0 was not a member, -1 the group does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
return redis.call('SREM', KEYS[2], ARGV[1])
