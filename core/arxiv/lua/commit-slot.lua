--[[
  Takes a reserved turn, or says how much longer to wait.

  A sleeper can wake late (a busy event loop, a GC pause); the turn after it must then still keep
  its distance from the moment the late one actually went, not from when it was due. This check
  makes the spacing between turns actually taken at least `interval`, by Redis' clock.

  Input:
    KEYS[1]  hash of the limit (see reserve-slot.lua)
    ARGV[1]  interval between turns (ms, integer > 0)

  Output:
    { wait, now }  wait = 0: the turn is taken at `now` (recorded as `granted`);
                   wait > 0: too early, sleep `wait` µs and commit again. Both in µs.
]]
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
-- Microseconds: whole milliseconds would let two turns come up to 1 ms too close.
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1]) * 1000

local granted = redis.call('HGET', KEYS[1], 'granted')
if granted then
  local allowed = tonumber(granted) + interval
  if now < allowed then return { allowed - now, now } end
end

redis.call('HSET', KEYS[1], 'granted', string.format('%.0f', now))
if redis.call('PTTL', KEYS[1]) * 1000 < interval then
  redis.call('PEXPIRE', KEYS[1], math.ceil(interval / 1000))
end
return { 0, now }
