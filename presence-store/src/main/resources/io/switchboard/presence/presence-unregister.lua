-- Removes exactly this session id (a newer session of the same user and device is untouched).
-- KEYS[1] sb:presence:{user}   ARGV[1] session id
return redis.call('HDEL', KEYS[1], ARGV[1])
