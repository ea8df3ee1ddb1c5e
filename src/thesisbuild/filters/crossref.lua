-- Cross-references, before citeproc: "@fig-kerangka" becomes "Gambar 1.2" (numbered per chapter),
-- "@tbl-data" becomes "Tabel 1.1". Such keys are labels of figures and tables in the document, not
-- citations. For typst the reference is left to typst (#ref), which numbers and links it the same
-- way; for other formats the number is computed here and linked to the figure's bookmark.
-- thesisbuild-figures names the folder of generated figures: an image whose source is a figure id
-- ("fig-kerangka-pemikiran") is that figure's SVG (typst) or PNG (others).

local labels = {}   -- id -> "Gambar 1.2"
local opts = {figure_label = "Gambar", table_label = "Tabel", figures = nil}

local function meta_string(meta, key)
  if meta[key] ~= nil then return pandoc.utils.stringify(meta[key]) end
end

local function collect(doc)
  local meta = doc.meta
  opts.figure_label = meta_string(meta, "thesisbuild-figure-label") or opts.figure_label
  opts.table_label = meta_string(meta, "thesisbuild-table-label") or opts.table_label
  opts.figures = meta_string(meta, "thesisbuild-figures")
  local chapter, figures, tables = tonumber(meta_string(meta, "thesisbuild-chapters-before") or "") or 0, 0, 0
  doc.blocks:walk({
    traverse = "topdown",
    Header = function(h)
      if h.level == 1 and not h.classes:includes("unnumbered") then
        chapter, figures, tables = chapter + 1, 0, 0
      end
    end,
    Figure = function(f)
      figures = figures + 1
      if f.identifier ~= "" then labels[f.identifier] = opts.figure_label .. " " .. chapter .. "." .. figures end
    end,
    Table = function(t)
      if #t.caption.long == 0 then return nil end
      tables = tables + 1
      if t.identifier ~= "" then labels[t.identifier] = opts.table_label .. " " .. chapter .. "." .. tables end
    end,
  })
end

local function is_typst()
  return FORMAT:match("typst") ~= nil
end

local function Cite(el)
  for _, c in ipairs(el.citations) do
    if labels[c.id] == nil then return nil end   -- a real citation: leave it to citeproc
  end
  local out = pandoc.List()
  for i, c in ipairs(el.citations) do
    if i > 1 then out:extend({pandoc.Str(","), pandoc.Space()}) end
    out:extend(c.prefix)
    if #c.prefix > 0 then out:insert(pandoc.Space()) end
    if is_typst() then
      out:insert(pandoc.RawInline("typst", "#ref(<" .. c.id .. ">)"))
    else
      out:insert(pandoc.Link(labels[c.id], "#" .. c.id))
    end
    if #c.suffix > 0 then out:extend(c.suffix) end
  end
  return out
end

local function Image(img)
  if opts.figures and img.src:match("^fig%-[%w_.-]+$") then
    local name = img.src:sub(5)
    if is_typst() then
      img.src = "/" .. opts.figures .. "/" .. name .. ".svg"
    else
      img.src = opts.figures .. "/" .. name .. ".png"
    end
    return img
  end
end

return {
  {Pandoc = function(doc) collect(doc) end},
  {Cite = Cite, Image = Image},
}
