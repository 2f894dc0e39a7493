-- Claims client message ids (cids) for message ids, or returns their earlier claims; many claims,
-- of any users, per call.
-- Per claim c (c = 1, 2, ...), two keys:
--   KEYS[2c-1] sb:sent:{user}      (hash: cid -> "messageId|recipient", the current generation)
--   KEYS[2c]   sb:sent:{user}:prev (hash: the generation before it)
-- ARGV[1] window ms; then per claim, in KEYS order: cid, message id, recipient.
-- Returns per claim, in order: 1, "messageId|recipient" when this call claimed it; 0, the earlier
-- claim otherwise (also when an earlier claim in the same call took it).
--
-- Claims are forgotten by generation, not one by one: the current hash records in the field SINCE
-- when it started (Redis's clock); on the first claim a window after that, it is renamed to :prev
-- (replacing the generation before) and a new one starts. A claim is checked in both, so it is
-- remembered for at least one window and at most two, and costs one hash entry: an index of claim
-- times to forget them one by one would cost an insert per claim as expensive as the claim.
-- Compatible with the earlier layout (sb:sent:{user} without SINCE, beside a sorted set
-- sb:sent:{user}:at that is left to expire): such a hash becomes the current generation, and
-- gateways of the earlier build still find every claim until the first rename to :prev.
local SINCE = '\1since' -- not a cid: cids are printable ASCII
local window = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local reply = {}
for c = 1, #KEYS / 2 do
  local cur, prev = KEYS[2 * c - 1], KEYS[2 * c]
  local a = 3 * c - 1
  local cid = ARGV[a]
  local claim = ARGV[a + 1] .. '|' .. ARGV[a + 2]
  local since = redis.call('HGET', cur, SINCE)
  if since and now - tonumber(since) >= window then
    redis.call('RENAME', cur, prev)
    since = nil
  end
  if not since then
    -- Set once per generation, not per claim: every claim of this generation is made less than a
    -- window after SINCE (the first one later starts the next generation), so expiring two windows
    -- after SINCE keeps each for at least a window, also as :prev (RENAME keeps the expiry).
    redis.call('HSET', cur, SINCE, now)
    redis.call('PEXPIRE', cur, 2 * window)
  end
  local earlier = redis.call('HGET', prev, cid)
  if earlier then
    reply[#reply + 1] = 0
    reply[#reply + 1] = earlier
  -- Claim and check in one lookup.
  elseif redis.call('HSETNX', cur, cid, claim) == 0 then
    reply[#reply + 1] = 0
    reply[#reply + 1] = redis.call('HGET', cur, cid)
  else
    reply[#reply + 1] = 1
    reply[#reply + 1] = claim
  end
end
return reply
