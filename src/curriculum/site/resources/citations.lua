-- Pandoc filter the embedded engine runs in citeproc's place: every work is cited in the form
-- the site's one citeproc run over the whole bibliography gave it (curriculum.site.format_references),
-- the form the components and the reference pages use, so "Mintz 2024b" reads the same on
-- every page, whichever other works the page cites.
--
-- The metadata field curriculum-citations names a JSON file: a list, in citeproc's
-- bibliography order, of [key, author, year, entry HTML, group, entry] for the works the page
-- may cite, where works of one group share their names (the site's citeproc run found which)
-- and entry is the HTML as Pandoc read it, in its JSON form (a div), when the build has it.
-- Citations become what citeproc writes for the default (Chicago author-date) style with
-- link-citations: "(A 2000; B 2001)", works by the same authors grouped ("(A 2000, 2001)"),
-- "A (2000)" for @key and "(2000)" for [-@key]; the works cited are listed, in citeproc's
-- order, in the div #refs or at the end of the page (the HTML writer gives the list and its
-- entries their roles, as it does citeproc's).
--
-- A citation this cannot write as citeproc would (a prefix, a locator or suffix, a key the
-- file does not hold) or metadata that changes citeproc's output (nocite, a style, a
-- language, a reference section title...) hands the whole page to citeproc instead.

local CITEPROC_META = {
  "nocite", "csl", "citation-style", "citation-abbreviations", "lang", "references",
  "reference-section-title", "suppress-bibliography", "link-bibliography", "notes-after-punctuation",
}

local function read_table(path)
  local file = io.open(path, "r")
  if not file then return nil end
  local text = file:read("a")
  file:close()
  local ok, entries = pcall(pandoc.json.decode, text, false)
  if not ok or type(entries) ~= "table" then return nil end
  local works = {}
  for rank, entry in ipairs(entries) do
    works[entry[1]] = {
      rank = rank, author = entry[2], year = entry[3], html = entry[4], group = entry[5], div = entry[6],
    }
  end
  return works
end

-- Whether citeproc is needed: metadata it reads, or a citation the table cannot write.
local function needs_citeproc(doc, works)
  for _, name in ipairs(CITEPROC_META) do
    if doc.meta[name] ~= nil then return true end
  end
  local link = doc.meta["link-citations"]
  if link ~= true then return true end
  local unusual = false
  doc:walk({
    Cite = function(cite)
      local seen = {}
      for _, c in ipairs(cite.citations) do
        if not works[c.id] or seen[c.id] or #c.prefix > 0 or #c.suffix > 0
            or (c.mode == "AuthorInText" and #cite.citations > 1) then
          unusual = true
        end
        seen[c.id] = true
      end
    end,
  })
  return unusual
end

local function ref_link(key, text)
  return pandoc.Link(pandoc.Inlines(text), "#ref-" .. key, "", pandoc.Attr("", {}, { role = "doc-biblioref" }))
end

-- The inlines citeproc writes for one cluster.
local function cited(cite, works)
  local first = cite.citations[1]
  local work = works[first.id]
  if first.mode == "AuthorInText" then
    local out = pandoc.Inlines(work.author)
    out:extend({ pandoc.Space(), pandoc.Str("("), ref_link(first.id, work.year), pandoc.Str(")") })
    return out
  end
  if first.mode == "SuppressAuthor" and #cite.citations == 1 then
    return pandoc.Inlines({ pandoc.Str("("), ref_link(first.id, work.year), pandoc.Str(")") })
  end
  -- Works by the same authors are grouped where the first of them stands (CSL's collapse="year").
  local groups, by_author = {}, {}
  for _, c in ipairs(cite.citations) do
    local w = works[c.id]
    local name = c.mode == "SuppressAuthor" and ("\0" .. c.id) or w.group
    local group = by_author[name]
    if not group then
      group = { suppressed = c.mode == "SuppressAuthor" }
      by_author[name] = group
      table.insert(groups, group)
    end
    table.insert(group, c.id)
  end
  local out = pandoc.Inlines({ pandoc.Str("(") })
  for g, group in ipairs(groups) do
    if g > 1 then out:extend({ pandoc.Str(";"), pandoc.Space() }) end
    for i, key in ipairs(group) do
      local w = works[key]
      if i > 1 then out:extend({ pandoc.Str(","), pandoc.Space() }) end
      local label = (i == 1 and not group.suppressed) and (w.author .. " " .. w.year) or w.year
      out:insert(ref_link(key, label))
    end
  end
  out:insert(pandoc.Str(")"))
  return out
end

local REFS_CLASSES = { "references", "csl-bib-body", "hanging-indent" }

-- The entries of the works cited, in citeproc's order: their JSON form read in one go, or
-- else their HTML.
local function reference_list(keys, works)
  table.sort(keys, function(a, b) return works[a].rank < works[b].rank end)
  local divs, read = {}, true
  for i, key in ipairs(keys) do
    divs[i] = works[key].div
    if type(divs[i]) ~= "string" then read = false end
  end
  local blocks
  if read then
    local version = table.concat(PANDOC_API_VERSION, ",")
    local json = '{"pandoc-api-version":[' .. version .. '],"meta":{},"blocks":[' .. table.concat(divs, ",") .. "]}"
    local ok, doc = pcall(pandoc.read, json, "json")
    blocks = ok and #doc.blocks == #keys and doc.blocks or nil
  end
  if blocks == nil then
    local html = {}
    for i, key in ipairs(keys) do html[i] = "<div>" .. works[key].html .. "</div>" end
    blocks = pandoc.read(table.concat(html), "html").blocks
  end
  local entries = {}
  for i, div in ipairs(blocks) do
    local inlines = pandoc.Inlines({})
    for j, block in ipairs(div.content or {}) do
      if j > 1 then inlines:insert(pandoc.Space()) end
      if block.content then inlines:extend(block.content) end
    end
    entries[i] = pandoc.Div({ pandoc.Plain(inlines) }, pandoc.Attr("ref-" .. keys[i], { "csl-entry" }))
  end
  return entries
end

function Pandoc(doc)
  local named = doc.meta["curriculum-citations"]
  if named == nil then return nil end
  doc.meta["curriculum-citations"] = nil
  local works = read_table(pandoc.utils.stringify(named))
  if works == nil or needs_citeproc(doc, works) then return pandoc.utils.citeproc(doc) end
  local keys, listed = {}, {}
  doc = doc:walk({
    Cite = function(cite)
      for _, c in ipairs(cite.citations) do
        if not listed[c.id] then
          listed[c.id] = true
          table.insert(keys, c.id)
        end
      end
      local data_cites = {}
      for _, c in ipairs(cite.citations) do table.insert(data_cites, c.id) end
      return pandoc.Span(cited(cite, works), pandoc.Attr("", { "citation" }, { ["data-cites"] = table.concat(data_cites, " ") }))
    end,
  })
  if #keys == 0 then return doc end
  local entries = reference_list(keys, works)
  local placed = false
  doc = doc:walk({
    Div = function(div)
      if placed or div.identifier ~= "refs" then return nil end
      placed = true
      for _, class in ipairs(REFS_CLASSES) do
        if not div.classes:includes(class) then div.classes:insert(class) end
      end
      div.content = entries
      return div
    end,
  })
  if not placed then
    doc.blocks:insert(pandoc.Div(entries, pandoc.Attr("refs", REFS_CLASSES)))
  end
  return doc
end
