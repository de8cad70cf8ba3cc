-- Pandoc's Lua interpreter as a page renderer that stays up: `pandoc lua pages.lua TEMPLATE PANDOC`.
-- Starting Pandoc costs about 20 ms of processor time (most of it mapping a 200 MB program), as
-- much as rendering a small page, so the embedded engine renders page after page in one process
-- per core instead of starting one per page (curriculum.site._page_worker).
--
-- Each line on standard input is a job, a JSON object: the page's Markdown (text), its reader
-- (Pandoc's -f), the metadata the command line would set (meta, as -M sets it: strings and
-- booleans) and its filters in order (paths of Lua filters, or "citeproc"). Each job gets one
-- line on standard output: {"html": ...} as `pandoc -s --template TEMPLATE --toc --toc-depth=3
-- --wrap=none --syntax-highlighting=none -t html5` writes it, or {"error": ...}. The command line
-- reads Markdown with the abbreviations of Pandoc's data file, which a Lua reader does not know
-- unless told, so they are read once (from the user's data folder, as Pandoc does, or from PANDOC).

local template_file, pandoc_path = arg[1], arg[2]

local function read_file(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("a")
  file:close()
  return text
end

local template = pandoc.template.compile(read_file(template_file))

-- The abbreviations file the command line reads: the user's (in Pandoc's user data folder) or Pandoc's own.
local function abbreviations_text()
  local home = os.getenv("HOME") or ""
  for _, folder in ipairs({ (os.getenv("XDG_DATA_HOME") or (home .. "/.local/share")) .. "/pandoc", home .. "/.pandoc" }) do
    local file = io.open(folder .. "/abbreviations", "r")
    if file then
      local text = file:read("a")
      file:close()
      return text
    end
  end
  return pandoc.pipe(pandoc_path, { "--print-default-data-file", "abbreviations" }, "")
end

local abbreviations = {}
for line in abbreviations_text():gmatch("[^\n]+") do
  abbreviations[line] = true
end

FORMAT = "html5" -- what the filters see on the command line with -t html5

local function render(job)
  local doc = pandoc.read(job.text, job.reader, { standalone = true, columns = 72, abbreviations = abbreviations })
  for key, value in pairs(job.meta) do doc.meta[key] = value end
  for _, filter in ipairs(job.filters) do
    if filter == "citeproc" then
      doc = pandoc.utils.citeproc(doc)
    else
      doc = pandoc.utils.run_lua_filter(doc, filter)
    end
  end
  return pandoc.write(doc, "html5", {
    template = template,
    table_of_contents = true,
    toc_depth = 3,
    wrap_text = "wrap-none",
    highlight_method = "none",
  })
end

for line in io.lines() do
  local reply
  local read, job = pcall(pandoc.json.decode, line, false)
  if not read or type(job) ~= "table" then
    reply = { error = "not a job: " .. tostring(job) }
  else
    local done, html = pcall(render, job)
    reply = done and { html = html } or { error = tostring(html) }
  end
  io.stdout:write(pandoc.json.encode(reply), "\n")
  io.stdout:flush()
end
