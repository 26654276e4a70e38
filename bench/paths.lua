-- wrk script: cycle through the request paths listed in a file (one a line).
-- Usage: wrk ... -s bench/paths.lua URL -- FILE THREADS
-- Each wrk thread starts at its own offset in the list, so the threads do not ask for the
-- same paths at the same time.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  local threads = tonumber(args[2]) or 1
  i = math.floor(#paths * (id or 0) / threads)
end

function request()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
