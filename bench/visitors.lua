-- wrk script: each request is the next visitor's, in turn, from a file of lines "path<TAB>cookie"
-- (bench/http_load.py writes it). Each wrk thread goes through the whole list, the second starting
-- halfway along, so the two are not asking for the same page at the same moment.

local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local requests = {}
local next_one = 1

function init(args)
  for line in io.lines(args[1]) do
    local path, cookie = line:match("^([^\t]*)\t(.*)$")
    local headers = {}
    if cookie ~= "" then
      headers["Cookie"] = cookie
    end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  next_one = (id * math.floor(#requests / 2)) % #requests + 1
end

function request()
  local chosen = requests[next_one]
  next_one = next_one % #requests + 1
  return chosen
end
