-- The typst output of the format-neutral document (see crossref.lua, latex.lua, images.lua).

-- typst resolves image paths from the .typ file in build/; a leading "/" means the project root,
-- which is where the chapters' relative paths start.
-- pandoc writes a path with spaces as "images/Struktur%20Organisasi.png"; typst reads files by name.
-- A generated figure is drawn from its SVG; a scaled image takes its share of the text block.
function Image(el)
  if el.attributes["thesisbuild-figure"] then
    el.src = el.src:gsub("%.png$", ".svg")
    el.attributes["thesisbuild-figure"] = nil
  end
  if el.attributes["thesisbuild-typst-width"] then el.attributes["width"] = el.attributes["thesisbuild-typst-width"] end
  el.attributes["thesisbuild-typst-width"] = nil
  el.attributes["thesisbuild-docx-width"] = nil
  if not el.src:match("^%a[%w+.-]*:") then
    el.src = el.src:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end)
    if el.src:sub(1, 1) ~= "/" then el.src = "/" .. el.src end
  end
  return el
end

local function typst_math(math)
  local text = pandoc.write(pandoc.Pandoc({pandoc.Plain({math})}), "typst")
  return text:gsub("%s+$", "")
end

function Div(el)
  -- Content meant for the DOCX only (the cover logo, which typst draws itself).
  if el.classes:includes("docx-only") then
    return {}
  end
  if el.classes:includes("thesisbuild-pagebreak") then
    return pandoc.RawBlock("typst", "#pagebreak(weak: true)")
  end
  -- A numbered equation: the formula centred, its number "(1.1)" at the right margin.
  if el.classes:includes("thesisbuild-equation-block") then
    return pandoc.RawBlock("typst", "#block(width: 100%, grid(columns: (1fr, auto), align: (center + horizon, "
      .. "right + horizon), " .. "[" .. typst_math(el.content[1].content[1]) .. "], [" .. el.attributes["number"]
      .. "]))" .. (el.identifier ~= "" and " <" .. el.identifier .. ">" or ""))
  end
end

-- A cross-reference: typst numbers and links figures and tables itself; the rest link to their
-- element with the number crossref.lua wrote.
function Link(el)
  if not el.classes:includes("thesisbuild-xref") then return nil end
  local id = el.target:sub(2)
  local kind = el.attributes["kind"]
  if kind == "fig" or kind == "tbl" then
    if el.attributes["number-only"] then return pandoc.RawInline("typst", "#ref(<" .. id .. ">, supplement: none)") end
    return pandoc.RawInline("typst", "#ref(<" .. id .. ">)")
  end
  local text = pandoc.utils.stringify(el.content)
  return pandoc.RawInline("typst", "#link(<" .. id .. ">)[" .. text:gsub("([%[%]#\\*_`$<>@])", "\\%1") .. "]")
end

-- Each table goes through the template's fitted-table: one taller than the text block may break
-- across pages.
function Table(el)
  return {pandoc.RawBlock("typst", "#fitted-table["), el, pandoc.RawBlock("typst", "]")}
end
