-- Reads one page of a recipient's inbox in one consistent snapshot.
-- KEYS[1] sb:inbox:{user}:seq   KEYS[2] sb:inbox:{user}:msgs
-- ARGV[1] read messages with seq > this   ARGV[2] at most this many
-- Returns {lastSeq, firstStoredSeq, envelope1, seq1, envelope2, seq2, ...};
-- firstStoredSeq is lastSeq + 1 when nothing is stored.
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local first = last + 1
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #oldest > 0 then
  first = tonumber(oldest[2])
end
local out = {last, first}
local page = redis.call('ZRANGE', KEYS[2], '(' .. ARGV[1], '+inf', 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]), 'WITHSCORES')
for i = 1, #page do
  out[#out + 1] = page[i]
end
return out
