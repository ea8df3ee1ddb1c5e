-- DOCX-only adjustments to pandoc's AST. thesisbuild passes the template's heading
-- layout as metadata. Numbers stay live in Word: each numbered heading, caption number, equation
-- and listing number and cross-reference to a figure, table, equation, listing or section is written as a mark (a run whose text is
-- "⟦tb|kind|...|shown⟧", the last field the number as the PDF prints it), which the DOCX's
-- finishing (render/docx_fields.py) turns into Word's heading list numbering, SEQ fields and REF
-- fields whose shown results are these numbers.
--   thesisbuild-chapter-label      "BAB"
--   thesisbuild-chapter-numbering  "upper-roman" | "decimal" | ...
--   thesisbuild-chapter-layout     "two-line" (BAB I, then the title) | "one-line" (I. TITLE)
--   thesisbuild-chapter-separator  ". " for the one-line layout
--   thesisbuild-max-level          deepest numbered level (4: 1.1.1.1)
--   thesisbuild-chapter-uppercase  "true": a chapter's title in capitals
--   thesisbuild-appendix-label     "Lampiran": a level-1 heading of class "appendix" is "Lampiran A",
--   thesisbuild-appendix-numbering "upper-alpha"   and the headings under it A.1, A.1.1
--   thesisbuild-no-appendix        "true": the document has no appendix (not walked for their figures)

package.path = PANDOC_SCRIPT_FILE:match("^(.*[/\\])") .. "?.lua;" .. package.path
local numbering = require("numbering")

local counters = {}
local opts = {
  label = "BAB", numbering = "upper-roman", layout = "two-line", separator = ". ", max_level = 4,
  figure_label = "Gambar", table_label = "Tabel", equation_label = "Persamaan", listing_label = "Kode",
  caption_separator = " ",
  uppercase = false, appendix_label = "Lampiran", appendix_numbering = "upper-alpha",
}
local in_appendix = false

local function meta_string(meta, key)
  if meta[key] ~= nil then return pandoc.utils.stringify(meta[key]) end
end

function Meta(meta)
  opts.label = meta_string(meta, "thesisbuild-chapter-label") or opts.label
  opts.numbering = meta_string(meta, "thesisbuild-chapter-numbering") or opts.numbering
  opts.layout = meta_string(meta, "thesisbuild-chapter-layout") or opts.layout
  opts.separator = meta_string(meta, "thesisbuild-chapter-separator") or opts.separator
  opts.max_level = tonumber(meta_string(meta, "thesisbuild-max-level") or "") or opts.max_level
  opts.figure_label = meta_string(meta, "thesisbuild-figure-label") or opts.figure_label
  opts.table_label = meta_string(meta, "thesisbuild-table-label") or opts.table_label
  opts.caption_separator = meta_string(meta, "thesisbuild-caption-separator") or opts.caption_separator
  opts.equation_label = meta_string(meta, "thesisbuild-equation-label") or opts.equation_label
  opts.listing_label = meta_string(meta, "thesisbuild-listing-label") or opts.listing_label
  opts.uppercase = meta_string(meta, "thesisbuild-chapter-uppercase") == "true"
  opts.appendix_label = meta_string(meta, "thesisbuild-appendix-label") or opts.appendix_label
  opts.appendix_numbering = meta_string(meta, "thesisbuild-appendix-numbering") or opts.appendix_numbering
  opts.no_appendix = meta_string(meta, "thesisbuild-no-appendix") == "true"
  -- A draft of chapter N keeps the chapter's number in the thesis.
  local before = tonumber(meta_string(meta, "thesisbuild-chapters-before") or "")
  if before then counters[1] = before end
end

local function chapter_number(n, style)
  return numbering.format(n, style or (in_appendix and opts.appendix_numbering) or opts.numbering)
end

local figures, tables = 0, 0

-- A mark for the DOCX's finishing: "⟦tb|kind|field|...|shown⟧" as a run of its own.
local function mark_xml(...)
  local fields = {}
  for i, value in ipairs({...}) do
    fields[i] = tostring(value):gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub("|", "/")
  end
  return '<w:r><w:t xml:space="preserve">⟦tb|' .. table.concat(fields, "|") .. '⟧</w:t></w:r>'
end

local function mark(...)
  return pandoc.RawInline("openxml", mark_xml(...))
end

local function list_name()
  return in_appendix and "appendix" or "main"
end

-- "Gambar 1.1" / "Tabel 1.1": numbered per chapter, as in the PDF.
local function number_caption(caption, label, n, id)
  local chapter = counters[1] or 0
  if in_appendix then chapter = chapter_number(chapter) end
  -- The number: a SEQ field of the chapter's count and one of the label's, restarting per chapter.
  local prefix = {pandoc.Str(label), pandoc.Space(), mark("cap", list_name(), label, id or "", n, chapter .. "." .. n)}
  local sep = opts.caption_separator
  if sep:match("^%s+$") then
    table.insert(prefix, pandoc.Space())
  else
    table.insert(prefix, pandoc.Str((sep:gsub("%s+$", ""))))
    if sep:match("%s$") then table.insert(prefix, pandoc.Space()) end
  end
  local long = caption.long
  if #long == 0 then long:insert(pandoc.Plain({})) end
  local first = long[1]
  for i = #prefix, 1, -1 do first.content:insert(1, prefix[i]) end
  return caption
end

function Figure(el)
  figures = figures + 1
  el.caption = number_caption(el.caption, opts.figure_label, figures, el.identifier)
  return el
end

function Table(el)
  if #el.caption.long == 0 then return nil end
  tables = tables + 1
  el.caption = number_caption(el.caption, opts.table_label, tables, el.identifier)
  return el
end

local heading_inlines    -- Link and Image below, for a numbered heading's own text

function Header(el)
  if el.level == 1 and el.classes:includes("appendix") and not in_appendix then
    in_appendix = true         -- the first appendix: its own count, from A
    counters[1] = 0
  end
  if el.classes:includes("unnumbered") or el.level > opts.max_level then
    return nil
  end
  -- Its references and images are done before its words are put in capitals (the walk does not go
  -- into a numbered heading again: see the pass at the end).
  el.content = el.content:walk(heading_inlines)
  if el.level == 1 and opts.uppercase then
    el.content = el.content:walk({Str = function(s) return pandoc.Str(pandoc.text.upper(s.text)) end})
  end
  counters[el.level] = (counters[el.level] or 0) + 1
  for deeper = el.level + 1, 9 do counters[deeper] = 0 end
  if el.level == 1 then figures, tables = 0, 0 end

  -- The number comes from Word's list numbering of the heading; the mark says which list and
  -- level, and the number as the PDF prints it (for the cached tables of contents).
  local prefix
  if el.level == 1 then
    local number = chapter_number(counters[1])
    if opts.layout == "one-line" then
      prefix = {mark("num", list_name(), 1, el.identifier, number .. opts.separator:gsub("%s+$", ""))}
    else
      local label = in_appendix and opts.appendix_label or opts.label
      prefix = {mark("num", list_name(), 1, el.identifier, label .. " " .. number), pandoc.LineBreak()}
    end
  else
    local parts = {}
    for level = 1, el.level do parts[#parts + 1] = tostring(counters[level] or 0) end
    if in_appendix then parts[1] = chapter_number(counters[1] or 0) end
    prefix = {mark("num", list_name(), el.level, el.identifier, table.concat(parts, "."))}
  end
  for i = #prefix, 1, -1 do el.content:insert(1, prefix[i]) end
  return el, false
end

-- References to figures and tables of the appendices: "Gambar A.1", as their captions say (the
-- cross-reference filter numbers every chapter-level heading alike).
local appendix_refs = {}

local function collect_appendix_refs(doc)
  local appendix, figs, tabs, started = 0, 0, 0, false
  doc.blocks:walk({
    traverse = "topdown",
    Header = function(h)
      if h.level == 1 and h.classes:includes("appendix") then started = true end
      if started and h.level == 1 and not h.classes:includes("unnumbered") then
        appendix, figs, tabs = appendix + 1, 0, 0
      end
    end,
    Figure = function(f)
      figs = figs + 1
      if started and f.identifier ~= "" then
        appendix_refs[f.identifier] = opts.figure_label .. " " .. chapter_number(appendix, opts.appendix_numbering) .. "." .. figs
      end
    end,
    Table = function(t)
      if #t.caption.long == 0 then return nil end
      tabs = tabs + 1
      if started and t.identifier ~= "" then
        appendix_refs[t.identifier] = opts.table_label .. " " .. chapter_number(appendix, opts.appendix_numbering) .. "." .. tabs
      end
    end,
  })
end

-- A reference to a figure or table: its word, then a REF field to the caption's number (the field
-- links to it, as the hyperlink did). Other references stay links with their text.
local function Link(el)
  local xref = el.classes:includes("thesisbuild-xref")
  local kind = el.attributes["kind"]
  local number_only = el.attributes["number-only"] ~= nil
  if xref then el.attr = pandoc.Attr() end     -- crossref.lua's marks are for the typst output
  local target = el.target:gsub("^#", "")
  local label = appendix_refs[target]
  if el.target:sub(1, 1) == "#" and label then
    el.content = pandoc.Inlines(label)
  end
  if xref and (kind == "fig" or kind == "tbl" or kind == "eq" or kind == "lst" or kind == "sec") then
    -- "Gambar 1.2", "Persamaan (1.1)", "1.2": the word stays text, the number becomes the field
    -- (the parentheses of an equation's number stay around it).
    local text = pandoc.utils.stringify(el.content)
    local word, number = text:match("^(.-)%s*(%S+)$")
    local open, core, close = (number or ""):match("^(%(?)(.-)(%)?)$")
    if number and core ~= "" then
      local out = pandoc.Inlines({})
      -- A no-break space between them, as typst's reference has: "Tabel" never ends a line alone.
      if word ~= "" and not number_only then out:extend({pandoc.Str(word), pandoc.Str("\u{A0}")}) end
      if open ~= "" then out:insert(pandoc.Str(open)) end
      out:insert(mark("ref", target, core))
      if close ~= "" then out:insert(pandoc.Str(close)) end
      return out
    end
  end
  if xref or label then return el end
end

-- The format-neutral document's page breaks and numbered equations (latex.lua, crossref.lua).
local function Div(el)
  local head = el.content[1]
  if head and head.t == "Div" and head.classes:includes("listing-caption") and head.content[1]
      and head.content[1].t == "Plain" then
    -- "Kode 1.1 caption": the number as SEQ fields like a figure's, bookmarked for references.
    local inlines = head.content[1].content
    local number = inlines[3] and inlines[3].t == "Str" and inlines[3].text or ""
    local part, n = number:match("^(.-)%.(%d+)$")
    if part then
      inlines[3] = mark("cap", part:match("^%d+$") and "main" or "appendix", opts.listing_label, el.identifier,
                        n, number)
      return el
    end
  end
  if el.classes:includes("thesisbuild-pagebreak") then
    return pandoc.RawBlock("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
  end
  if el.classes:includes("thesisbuild-equation-block") then
    -- Word sets display math in a paragraph of its own; the number follows at the right margin:
    -- "(", the number as SEQ fields like a caption's (an appendix's chapter part is a letter), ")".
    local number = el.attributes["number"]
    local inner = number:match("^%((.*)%)$")
    local part, n = (inner or ""):match("^(.-)%.(%d+)$")
    local shown = '<w:r><w:t>' .. number .. '</w:t></w:r>'
    if part then
      local which = part:match("^%d+$") and "main" or "appendix"
      shown = '<w:r><w:t>(</w:t></w:r>' .. mark_xml("cap", which, opts.equation_label, el.identifier, n, inner)
        .. '<w:r><w:t>)</w:t></w:r>'
    end
    return pandoc.Div({el.content[1], pandoc.RawBlock("openxml", '<w:p><w:pPr><w:keepLines/>'
      .. '<w:spacing w:before="0" w:after="0"/><w:jc w:val="right"/></w:pPr>' .. shown .. '</w:p>')},
      {id = el.identifier})
  end
end

-- images.lua's fitted width for the DOCX (the marks for typst go).
local function Image(el)
  local attrs = el.attributes
  if attrs["thesisbuild-figure"] or attrs["thesisbuild-docx-width"] or attrs["thesisbuild-typst-width"] then
    if attrs["thesisbuild-docx-width"] then attrs["width"] = attrs["thesisbuild-docx-width"] end
    attrs["thesisbuild-docx-width"] = nil
    attrs["thesisbuild-typst-width"] = nil
    attrs["thesisbuild-figure"] = nil
    return el
  end
end

heading_inlines = {Link = Link, Image = Image}

-- One walk in document order, so that captions know their chapter (a walk of pandoc's over the
-- whole thesis costs a tenth of a second on 150 pages, whatever it finds: one, not two). A
-- caption is numbered before the references in it are made fields, which does not change either.
return {{Meta = Meta}, {Pandoc = function(doc) if not opts.no_appendix then collect_appendix_refs(doc) end end},
        {traverse = "topdown", Header = Header, Figure = Figure, Table = Table, Link = Link, Div = Div, Image = Image}}
