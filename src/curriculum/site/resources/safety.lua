-- Pandoc filter the embedded engine runs last on every page (after citeproc): what the page
-- policy (docs/authoring.md, "Raw HTML") removes whatever the source.
--   * Components come only from the build. Raw HTML that names the component markup
--     (cur-widget, cur-payload), even through character references, is removed, and so are
--     those classes on any element, so nothing an author writes can mount or feed a component.
--     (The raw HTML of a page the build generates is sanitised, with no class an author chose,
--     so it is kept: a quiz stem may quote the markup as text.)
--   * Links and images whose target would run script (javascript:, vbscript:, data:text/html)
--     keep their text but lose the target.
--   * Event-handler attributes (on...=) written on Markdown elements are dropped.

local COMPONENT_CLASSES = { ["cur-widget"] = true, ["cur-payload"] = true }
local generated = false

local function read_meta(meta)
  generated = meta["curriculum-generated"] == true
end

-- Decode numeric character references and &amp; until nothing changes, as nested HTML
-- (an iframe's srcdoc) would be decoded, then lower-case.
local function decoded(text)
  local function ascii(n)
    n = tonumber(n)
    if n and n > 0 and n < 128 then return string.char(n) end
  end
  for _ = 1, 8 do
    local before = text
    text = text:gsub("&#[xX](%x+);?", function(hex) return ascii(tonumber(hex, 16)) end)
    text = text:gsub("&#(%d+);?", ascii)
    text = text:gsub("&[aA][mM][pP];?", "&")
    if text == before then break end
  end
  return text:lower()
end

local function names_component(text)
  local plain = decoded(text)
  return plain:find("cur-widget", 1, true) or plain:find("cur-payload", 1, true)
end

local function is_html(format)
  return format:lower():sub(1, 4) == "html"
end

local function raw(el)
  if not generated and is_html(el.format) and names_component(el.text) then return {} end
end

local function scripted(target)
  -- Browsers ignore control characters and spaces around a URL and tabs and newlines inside it.
  local url = decoded(target):gsub("[%z\1-\32]", "")
  return url:find("^javascript:") or url:find("^vbscript:") or url:find("^data:text/html")
    or url:find("^data:application/xhtml")
end

local function clean_attributes(el)
  if not el.attr then return nil end
  local changed = false
  local classes = pandoc.List({})
  for _, class in ipairs(el.classes) do
    if COMPONENT_CLASSES[class:lower()] then changed = true else classes:insert(class) end
  end
  local attributes = {}
  for key, value in pairs(el.attributes) do
    if key:lower():sub(1, 2) == "on" then changed = true else attributes[key] = value end
  end
  if not changed then return nil end
  el.classes = classes
  el.attributes = attributes
  return el
end

local function link(el)
  if scripted(el.target) then return el.content end
  return clean_attributes(el)
end

local function image(el)
  if scripted(el.src) then return el.caption end
  return clean_attributes(el)
end

return {
  { Meta = read_meta },
  { RawBlock = raw, RawInline = raw, Link = link, Image = image },
  -- Only these elements carry attributes (Link and Image are cleaned above); naming them, rather
  -- than every Block and Inline, spares Pandoc handing each word of the page to Lua.
  { CodeBlock = clean_attributes, Header = clean_attributes, Div = clean_attributes,
    Table = clean_attributes, Figure = clean_attributes,
    Code = clean_attributes, Span = clean_attributes },
}
