-- Lists the user's sessions whose deadline is still ahead, as id, value, id, value, ...
-- Expired fields are removed on the way, so the hash never grows with dead sessions.
-- KEYS[1] sb:presence:{user}
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, '|', 1, true)
  if tonumber(string.sub(v, 1, sep - 1)) > now then
    live[#live + 1] = all[i]
    live[#live + 1] = v
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return live
