--[[
  Reserves the next turn of a rate limit shared by every process that uses the key.

  Turns are points in time at least `interval` apart. The caller sleeps until its turn and then
  confirms it with commit-slot.lua, which guards the spacing against a sleeper that woke late.
  Redis' own clock is used, so the clocks of the machines running workers do not matter.

  Input:
    KEYS[1]  hash of the limit: field `slot` = last reserved turn, field `granted` = last turn
             actually taken (both µs since the epoch, Redis clock)
    ARGV[1]  interval between turns (ms, integer > 0)

  Output:
    { slot, now }  the reserved turn and Redis' current time, in µs; the caller sleeps slot - now.
]]
if redis.replicate_commands then redis.replicate_commands() end -- TIME before a write (Redis < 5)
local time = redis.call('TIME')
-- Microseconds: whole milliseconds would let two turns come up to 1 ms too close.
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1]) * 1000

local slot = now
local fields = redis.call('HMGET', KEYS[1], 'slot', 'granted')
for _, value in ipairs(fields) do
  if value then
    local next_free = tonumber(value) + interval
    if next_free > slot then slot = next_free end
  end
end

-- %.0f: Lua 5.1 would write a 16-digit number as 1.7000000000000e+15 and lose the microseconds.
redis.call('HSET', KEYS[1], 'slot', string.format('%.0f', slot))
-- The hash only matters until one interval after the last turn; let it expire after that.
redis.call('PEXPIRE', KEYS[1], math.ceil((slot - now + interval) / 1000))
return { slot, now }
