-- Pandoc filter for the curriculum's Pandoc engine: the Quarto conventions the
-- site relies on, so the same sources render alike under Quarto and Pandoc.
--   * profiles: .content-visible / .content-hidden with when-profile / unless-profile
--   * callouts: .callout-note, -tip, -important, -warning, -caution
--   * cross-page links: .qmd, .ipynb and .md targets become .html
--   * one h1 per page: the template writes the title; level-1 headings become level 2
--   * in-page links to anchors that do not exist become plain text (generated pages can
--     link to members they do not render; citeproc's #ref- links are added later)
-- Writing the residents' reader notebooks (-t ipynb), profiles apply the same way, but
-- JupyterLab's Markdown knows no divs: a callout becomes a quoted block under its title
-- in bold, and links and headings stay as written (the notebooks sit side by side, and
-- the first cell holds the lesson's title as its only level-1 heading).

local active = {}

local function read_profile(meta)
  local value = meta["curriculum-profile"]
  local text = value and pandoc.utils.stringify(value) or "resident"
  for name in string.gmatch(text, "[^,%s]+") do active[name] = true end
end

local function matches(list)
  if not list then return nil end
  for name in string.gmatch(list, "[^,%s]+") do
    if active[name] then return true end
  end
  return false
end

local function visible(el)
  if el.classes:includes("content-visible") then
    local when = matches(el.attributes["when-profile"])
    local unless = matches(el.attributes["unless-profile"])
    if when == false or unless == true then return false end
    return true
  end
  if el.classes:includes("content-hidden") then
    local when = matches(el.attributes["when-profile"])
    local unless = matches(el.attributes["unless-profile"])
    if when == true or unless == false then return false end
    if when == nil and unless == nil then return false end
    return true
  end
  return nil
end

local CALLOUTS = {
  note = "Note", tip = "Tip", important = "Important", warning = "Warning", caution = "Caution",
}

local function callout(el)
  for kind, label in pairs(CALLOUTS) do
    if el.classes:includes("callout-" .. kind) then
      local title = el.attributes["title"]
      local body = el.content
      local heading
      if title then
        heading = pandoc.Inlines(pandoc.read(title, "markdown").blocks[1].content)
      elseif #body > 0 and body[1].t == "Header" then
        heading = body[1].content
        body = pandoc.List({table.unpack(body, 2)})
      else
        heading = pandoc.Inlines({pandoc.Str(label)})
      end
      if FORMAT == "ipynb" then
        return pandoc.BlockQuote({pandoc.Para({pandoc.Strong(heading)}), table.unpack(body)})
      end
      local head = pandoc.Div({pandoc.Plain(heading)}, pandoc.Attr("", {"callout-title"}))
      local inner = pandoc.Div(body, pandoc.Attr("", {"callout-body"}))
      return pandoc.Div({head, inner}, pandoc.Attr(el.identifier, {"callout", "callout-" .. kind}, {role = "note"}))
    end
  end
  return nil
end

local function Div(el)
  local shown = visible(el)
  if shown == false then return {} end
  if shown == true then
    local classes = {"profile-block"}
    local when = el.attributes["when-profile"]
    if when and el.classes:includes("content-visible") then
      table.insert(classes, "profile-" .. when)
    end
    return pandoc.Div(el.content, pandoc.Attr(el.identifier, classes, {}))
  end
  return nil
end

local function Span(el)
  local shown = visible(el)
  if shown == false then return {} end
  if shown == true then return el.content end
end

local function Link(el)
  if FORMAT == "ipynb" then return nil end
  local target = el.target
  if target:match("^%a[%w+.-]*:") or target:match("^#") then return nil end
  local path, anchor = target:match("^([^#]*)(#?.*)$")
  local converted = path:gsub("%.ipynb$", ".html"):gsub("%.qmd$", ".html"):gsub("%.md$", ".html")
  el.target = converted .. anchor
  return el
end

local function Header(el)
  if FORMAT == "ipynb" then return nil end
  if el.level == 1 then el.level = 2 end
  return el
end

local anchors = {}

local function collect(el)
  if el.identifier and el.identifier ~= "" then anchors[el.identifier] = true end
end

local function dangling(el)
  local anchor = el.target:match("^#(.+)$")
  if anchor and not anchors[anchor] and not anchor:match("^ref%-") then
    return el.content
  end
end

return {
  { Meta = read_profile },
  { Div = Div, Span = Span },
  { Div = function(el) return callout(el) end, Link = Link, Header = Header },
  { Header = collect, Div = collect, Span = collect, Code = collect, CodeBlock = collect, Table = collect },
  { Link = dangling },
}
