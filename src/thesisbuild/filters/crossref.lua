-- Cross-references, before citeproc. Such keys are labels in the document, not citations.
--   @fig-x  -> "Gambar 1.2"      @tbl-x -> "Tabel 1.1"       (numbered per chapter)
--   @sec-x  -> "1.2"             @eq-x  -> "Persamaan (1.1)" @lst-x -> "Kode 1.1"
-- pandoc-crossref's forms are read too: @fig:x, {#fig:x}, $$ ... $$ {#eq:x}, "Listing: caption
-- {#lst:x}" or ": caption {#lst:x}" before a code block, [@fig:a; @fig:b]; a label "kind:name" is
-- the same label as "kind-name". A reference preceded by its own label word ("Gambar @fig-x",
-- "Gambar \ref{fig:x}") prints the number only, so the word is not doubled.
-- The result is the same for every output format (the format-neutral document): a reference is a
-- Link of class "thesisbuild-xref" (attributes kind and, for "Gambar @fig-x", number-only) to its
-- element, a numbered equation a Div of class "thesisbuild-equation-block" (attribute number); the
-- output's own filter (typst.lua, docx.lua) writes them. typst references figures and tables
-- itself (#ref), which numbers and links them the same way.
-- thesisbuild-figures names the folder of generated figures: an image whose source is a figure id
-- ("fig-kerangka-pemikiran") is that figure's PNG, marked thesisbuild-figure (typst takes the SVG).

package.path = PANDOC_SCRIPT_FILE:match("^(.*[/\\])") .. "?.lua;" .. package.path
local numbering = require("numbering")

local labels = {}   -- id -> {kind = "fig", number = "1.2"}
local opts = {figure_label = "Gambar", table_label = "Tabel", equation_label = "Persamaan",
              listing_label = "Kode", figures = nil, numbering = "upper-roman", separator = " "}
local KINDS = {fig = true, tbl = true, sec = true, eq = true, lst = true}

local function meta_string(meta, key)
  if meta[key] ~= nil then return pandoc.utils.stringify(meta[key]) end
end

-- "fig:x" and "fig-x" are one label.
local function norm(id)
  local kind, rest = id:match("^(%a+):(.+)$")
  if kind and KINDS[kind] then return kind .. "-" .. rest end
  return id
end

local function chapter_number(n)
  return numbering.format(n, opts.numbering)
end

local function label_word(kind)
  if kind == "fig" then return opts.figure_label end
  if kind == "tbl" then return opts.table_label end
  if kind == "eq" then return opts.equation_label end
  if kind == "lst" then return opts.listing_label end
  return nil
end

-- The printed reference: "Gambar 1.2", "Persamaan (1.1)", "1.2"; number_only drops the word.
local function ref_text(label, number_only)
  local number = label.kind == "eq" and "(" .. label.number .. ")" or label.number
  local word = label_word(label.kind)
  if number_only or word == nil then return number end
  return word .. " " .. number
end

-- ------------------------------------------------------------------ pandoc-crossref syntax

local ATTR = "^{#([%w_:%.%-]+)}$"

-- Whether the document has display math at all: found by the Math function of the pass that
-- reads equation ids, which pandoc runs over every inline before any Para function.
local display_math = false

local function note_display_math(math)
  if math.mathtype == "DisplayMath" then display_math = true end
end

-- $$ ... $$ {#eq:x}: the equation takes the id.
local function equation_ids(para)
  if not display_math then return nil end    -- nothing to look for: the paragraph is not read
  local out, changed = pandoc.List(), false
  for _, el in ipairs(para.content) do
    local id = el.t == "Str" and el.text:match(ATTR)
    local j = #out
    while id and j >= 1 and (out[j].t == "Space" or out[j].t == "SoftBreak") do j = j - 1 end
    if id and j >= 1 and out[j].t == "Math" and out[j].mathtype == "DisplayMath" then
      out[j] = pandoc.Span({out[j]}, {id = id, class = "thesisbuild-equation"})
      while #out > j do out:remove(#out) end
      changed = true
    else
      out:insert(el)
    end
  end
  if changed then
    para.content = out
    return para
  end
end

-- "Listing: caption {#lst:x}" or ": caption {#lst:x}" as a paragraph: the caption and the id.
local function listing_caption(inlines)
  if #inlines == 0 then return nil end
  local last = inlines[#inlines]
  local id = last.t == "Str" and last.text:match(ATTR)
  if not id or norm(id):sub(1, 4) ~= "lst-" then return nil end
  local caption = pandoc.List(inlines)
  caption:remove(#caption)
  while #caption > 0 and caption[#caption].t == "Space" do caption:remove(#caption) end
  local first = caption[1]
  if first and first.t == "Str" and (first.text == "Listing:" or first.text == ":") then
    caption:remove(1)
    if caption[1] and caption[1].t == "Space" then caption:remove(1) end
  end
  return id, caption
end

local function attach_listing(code, id, caption)
  code.identifier = id
  code.attributes["thesisbuild-caption"] = pandoc.write(pandoc.Pandoc({pandoc.Plain(caption)}), "json")
  return code
end

-- Blocks: the caption paragraph before a code block (pandoc reads ": caption" after a paragraph as a
-- definition, so that case is undone too).
local function listing_blocks(blocks)
  -- Most lists hold no code block: left as they are (nil), they are not rebuilt and handed back.
  local any = false
  for _, b in ipairs(blocks) do
    if b.t == "CodeBlock" then any = true; break end
  end
  if not any then return nil end
  local out = pandoc.List()
  local i = 1
  while i <= #blocks do
    local b, nxt = blocks[i], blocks[i + 1]
    local done = false
    if nxt and nxt.t == "CodeBlock" and nxt.identifier == "" then
      if b.t == "Para" then
        local id, caption = listing_caption(b.content)
        if id then
          out:insert(attach_listing(nxt, id, caption)); i = i + 2; done = true
        end
      elseif b.t == "DefinitionList" and #b.content == 1 then
        local term, defs = b.content[1][1], b.content[1][2]
        local def = defs[#defs]
        if #defs == 1 and #def == 1 and def[1].t == "Para" then
          local id, caption = listing_caption(def[1].content)
          if id then
            local para = pandoc.Para(term)
            out:insert(equation_ids(para) or para)
            out:insert(attach_listing(nxt, id, caption)); i = i + 2; done = true
          end
        end
      end
    end
    -- pandoc-crossref also takes the caption paragraph right after the code block.
    if not done and b.t == "CodeBlock" and b.identifier == "" and nxt and nxt.t == "Para" then
      local first = nxt.content[1]
      local id, caption = listing_caption(nxt.content)
      if id and first and first.t == "Str" and (first.text == ":" or first.text == "Listing:") then
        out:insert(attach_listing(b, id, caption)); i = i + 2; done = true
      end
    end
    if not done then out:insert(b); i = i + 1 end
  end
  return out
end

-- ------------------------------------------------------------------ numbering

-- "id=kind:number;..." of every label, for the drafts of single chapters and the parts of the
-- thesis. Every number is arabic and begins with its chapter's number ("1.2"); a chapter's own
-- label is "chap:1", printed in the chapter numbering ("I") where it is read back, so that a part
-- scanned on its own can be renumbered after the chapters before it.
local function dump()
  local parts = {}
  for id, label in pairs(labels) do
    if not label.external then
      local kind, number = label.kind, label.number
      if label.chapter then kind, number = "chap", tostring(label.chapter) end
      parts[#parts + 1] = id .. "=" .. kind .. ":" .. number
    end
  end
  table.sort(parts)
  return table.concat(parts, ";")
end

-- The numbering reached at the end of the document: "chapter;section;figures;tables;equations;listings"
-- (the level-2 section and the counts within the chapter), as thesisbuild-xref-state takes it.
local state_after = "0;0;0;0;0;0"
-- The numbering reached at each piece marker (a raw block PIECE_MARK, put before each piece of a
-- chapter but the first when the chapter is scanned or read whole), in order.
local PIECE_MARK = "<!-- thesisbuild-piece -->"
local marks = {}
-- The labels in document order with the piece they are in (the number of markers before them).
local found = {}

-- A heading's text, with the characters the dump uses as separators written as %XX.
local function encoded(text)
  return (text:gsub("[%%;=|\r\n]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function entry(item)
  local title = item.title and "=" .. encoded(item.title) or ""
  if item.unnumbered then return item.id .. "=none:0" .. title end   -- no label, but its identifier is taken
  local id = item.id
  local label = labels[id]
  local kind, number = label.kind, label.number
  if label.chapter then kind, number = "chap", tostring(label.chapter) end
  return id .. "=" .. kind .. ":" .. number .. title
end

-- "count": for each piece, a line "labels:id=kind:number;..." in document order and a line
-- "end:<numbering reached>", each piece scanned as if it began the thesis (the numbering starts
-- again at each marker), so that each piece's scan can be kept and reused on its own.
local function dump_pieces()
  local lines = {}
  for piece = 0, #marks do
    local entries = {}
    for _, item in ipairs(found) do
      if item.piece == piece then entries[#entries + 1] = entry(item) end
    end
    lines[#lines + 1] = "labels:" .. table.concat(entries, ";")
    lines[#lines + 1] = "end:" .. (piece < #marks and marks[piece + 1] or state_after)
  end
  return table.concat(lines, "\n")
end
local numbered_equations = false   -- whether collect() found a numbered equation (else Para has nothing to do)

local function collect(doc)
  local meta = doc.meta
  opts.figure_label = meta_string(meta, "thesisbuild-figure-label") or opts.figure_label
  opts.table_label = meta_string(meta, "thesisbuild-table-label") or opts.table_label
  opts.equation_label = meta_string(meta, "thesisbuild-equation-label") or opts.equation_label
  opts.listing_label = meta_string(meta, "thesisbuild-listing-label") or opts.listing_label
  opts.numbering = meta_string(meta, "thesisbuild-xref-chapter-numbering") or opts.numbering
  opts.separator = meta_string(meta, "thesisbuild-xref-caption-separator") or opts.separator
  opts.figures = meta_string(meta, "thesisbuild-figures")
  local chapter = tonumber(meta_string(meta, "thesisbuild-xref-chapters-before")
                           or meta_string(meta, "thesisbuild-chapters-before") or "") or 0
  -- A draft of one chapter knows the other chapters' labels from the whole thesis:
  -- "id=kind:number;..." (printed as text, since their elements are not in the draft).
  -- A part of the whole thesis converted on its own (thesisbuild-xref-known-local) refers to the
  -- other parts' labels as if they were its own: they are all in the one typst document.
  local external = meta_string(meta, "thesisbuild-xref-known-local") ~= "true"
  for id, kind, number in (meta_string(meta, "thesisbuild-xref-known") or ""):gmatch("([^;=]+)=(%a+):([^;]+)") do
    if kind == "chap" then
      labels[id] = {kind = "sec", number = chapter_number(tonumber(number)), external = external}
    else
      labels[id] = {kind = kind, number = number, external = external}
    end
  end
  local sections, counts = {chapter}, {fig = 0, tbl = 0, eq = 0, lst = 0}
  -- A piece of a chapter converted on its own starts where the pieces before it end: in chapter C,
  -- after its level-2 section S, with these counts of figures, tables, equations and listings.
  local state = meta_string(meta, "thesisbuild-xref-state")
  if state then
    local c, s2, f, t, e, l = state:match("^(%d+);(%d+);(%d+);(%d+);(%d+);(%d+)$")
    chapter = tonumber(c)
    sections = {chapter, tonumber(s2)}
    counts = {fig = tonumber(f), tbl = tonumber(t), eq = tonumber(e), lst = tonumber(l)}
  end
  -- In a scan, the numbering starts again at each piece marker (see dump_pieces).
  local restart = meta_string(meta, "thesisbuild-xref-dump") == "count"
  local function add(id, kind)
    if id ~= "" then
      labels[id] = {kind = kind, number = chapter .. "." .. counts[kind]}
      found[#found + 1] = {id = id, piece = #marks}
    end
  end
  doc.blocks = doc.blocks:walk({
    traverse = "topdown",
    RawBlock = function(r)
      if r.text == PIECE_MARK then
        marks[#marks + 1] = table.concat({chapter, sections[2] or 0, counts.fig, counts.tbl, counts.eq, counts.lst}, ";")
        if restart then
          chapter, sections, counts = 0, {0, 0}, {fig = 0, tbl = 0, eq = 0, lst = 0}
        end
      end
    end,
    Header = function(h)
      if h.classes:includes("unnumbered") then
        if h.identifier ~= "" then
          found[#found + 1] = {id = h.identifier, piece = #marks, unnumbered = true, title = pandoc.utils.stringify(h.content)}
        end
        return nil
      end
      sections[h.level] = (sections[h.level] or 0) + 1
      for deeper = h.level + 1, 9 do sections[deeper] = 0 end
      if h.level == 1 then
        chapter = sections[1]
        counts = {fig = 0, tbl = 0, eq = 0, lst = 0}
        if h.identifier ~= "" then
          labels[h.identifier] = {kind = "sec", number = chapter_number(chapter), chapter = chapter}
          found[#found + 1] = {id = h.identifier, piece = #marks, title = pandoc.utils.stringify(h.content)}
        end
      elseif h.identifier ~= "" then
        local parts = {}
        for level = 1, h.level do parts[#parts + 1] = tostring(sections[level] or 0) end
        labels[h.identifier] = {kind = "sec", number = table.concat(parts, ".")}
        found[#found + 1] = {id = h.identifier, piece = #marks, title = pandoc.utils.stringify(h.content)}
      end
    end,
    Figure = function(f)
      counts.fig = counts.fig + 1
      add(f.identifier, "fig")
    end,
    Table = function(t)
      if #t.caption.long == 0 then return nil end
      counts.tbl = counts.tbl + 1
      add(t.identifier, "tbl")
    end,
    Span = function(s)
      if s.classes:includes("thesisbuild-equation") then
        counts.eq = counts.eq + 1
        numbered_equations = true
        add(s.identifier, "eq")
        s.attributes["thesisbuild-number"] = chapter .. "." .. counts.eq
        return s
      end
    end,
    CodeBlock = function(c)
      if c.attributes["caption"] or c.attributes["thesisbuild-caption"] or norm(c.identifier):sub(1, 4) == "lst-" then
        counts.lst = counts.lst + 1
        add(c.identifier, "lst")
        c.attributes["thesisbuild-number"] = chapter .. "." .. counts.lst
        return c
      end
    end,
  })
  state_after = table.concat({chapter, sections[2] or 0, counts.fig, counts.tbl, counts.eq, counts.lst}, ";")
end

-- ------------------------------------------------------------------ rendering

local function reference(id, number_only)
  local label = labels[id]
  if label.external then return pandoc.Str(ref_text(label, number_only)) end
  local attr = {class = "thesisbuild-xref", kind = label.kind}
  if number_only then attr["number-only"] = "true" end
  return pandoc.Link(ref_text(label, number_only), "#" .. id, "", attr)
end

-- Is the inline before position i the label's own word ("Gambar" before @fig-x)?
local function after_own_word(inlines, i, kind)
  local word = label_word(kind)
  if word == nil then return false end
  local j = i - 1
  if j >= 1 and (inlines[j].t == "Space" or inlines[j].t == "SoftBreak") then j = j - 1 end
  return j >= 1 and inlines[j].t == "Str" and inlines[j].text:lower() == word:lower()
end

local function Cite(el, number_only)
  local works = pandoc.List()
  for _, c in ipairs(el.citations) do
    if labels[norm(c.id)] == nil then works:insert(c) end
  end
  if #works == #el.citations then return nil end   -- real citations: left to citeproc
  local out = pandoc.List()
  local first = true
  for _, c in ipairs(el.citations) do
    if labels[norm(c.id)] == nil then goto continue end
    if not first then out:extend({pandoc.Str(","), pandoc.Space()}) end
    first = false
    out:extend(c.prefix)
    if #c.prefix > 0 then out:insert(pandoc.Space()) end
    out:insert(reference(norm(c.id), number_only))
    if #c.suffix > 0 then out:extend(c.suffix) end
    ::continue::
  end
  -- "@fig-x [@work]": the works stay a citation of their own, for citeproc.
  if #works > 0 then
    out:insert(pandoc.Space())
    out:insert(pandoc.Cite({}, works))
  end
  return out
end

-- Is this inline a reference to a label of the document (not a citation of a work)?
local function is_reference(el)
  if el.t == "Cite" then
    for _, c in ipairs(el.citations) do
      if labels[norm(c.id)] ~= nil then return true end
    end
  elseif el.t == "Span" then
    return el.classes:includes("thesisbuild-ref")
  end
  return false
end

local function Inlines(inlines)
  -- Most lists hold no reference: left as they are (nil), they are not rebuilt and handed back
  -- (a list handed back is marshalled again: a third of the filter's time on a long chapter).
  local any = false
  for _, el in ipairs(inlines) do
    if is_reference(el) then any = true; break end
  end
  if not any then return nil end
  local out = pandoc.List()
  for i, el in ipairs(inlines) do
    if el.t == "Cite" then
      local first = labels[norm(el.citations[1].id)]
      local own = first and #el.citations[1].prefix == 0 and after_own_word(inlines, i, first.kind)
      local replaced = Cite(el, own)
      if replaced then out:extend(replaced) else out:insert(el) end
    elseif el.t == "Span" and el.classes:includes("thesisbuild-ref") then
      local id = norm(el.attributes["target"])
      if labels[id] then
        out:insert(reference(id, true))     -- as in LaTeX, \ref prints the number alone
      else
        out:insert(pandoc.Str("??"))     -- reported by the lint (XRF002) and the build before this
      end
    else
      out:insert(el)
    end
  end
  return out
end

-- A numbered equation: the formula, and its number "(1.1)" for the output to set at the right margin.
local function equation_block(span)
  return pandoc.Div({pandoc.Para({span.content[1]})},
    {id = span.identifier, class = "thesisbuild-equation-block", number = "(" .. span.attributes["thesisbuild-number"] .. ")"})
end

local function Para(para)
  if not numbered_equations then return nil end
  local has = false
  for _, el in ipairs(para.content) do
    if el.t == "Span" and el.classes:includes("thesisbuild-equation") then has = true end
  end
  if not has then return nil end
  local out, run = pandoc.List(), pandoc.List()
  local function flush()
    while #run > 0 and (run[1].t == "Space" or run[1].t == "SoftBreak") do run:remove(1) end
    if #run > 0 then out:insert(pandoc.Para(run)) end
    run = pandoc.List()
  end
  for _, el in ipairs(para.content) do
    if el.t == "Span" and el.classes:includes("thesisbuild-equation") then
      flush()
      out:insert(equation_block(el))
    else
      run:insert(el)
    end
  end
  flush()
  return out
end

-- A captioned code block: "Kode 1.1 caption" above the code.
local function CodeBlock(code)
  local number = code.attributes["thesisbuild-number"]
  if not number then return nil end
  local caption
  if code.attributes["thesisbuild-caption"] then
    caption = pandoc.utils.blocks_to_inlines(pandoc.read(code.attributes["thesisbuild-caption"], "json").blocks)
  else
    caption = code.attributes["caption"] and pandoc.read(code.attributes["caption"], "markdown").blocks or {}
    caption = pandoc.utils.blocks_to_inlines(caption)
  end
  code.attributes["thesisbuild-caption"] = nil
  code.attributes["thesisbuild-number"] = nil
  code.attributes["caption"] = nil
  local id = code.identifier
  code.identifier = ""
  local sep = opts.separator
  local head = pandoc.List({pandoc.Str(opts.listing_label), pandoc.Space(), pandoc.Str(number)})
  if #caption > 0 then
    if sep:match("^%s+$") then head:insert(pandoc.Space()) else
      head:insert(pandoc.Str((sep:gsub("%s+$", ""))))
      if sep:match("%s$") then head:insert(pandoc.Space()) end
    end
    head:extend(caption)
  end
  return pandoc.Div({pandoc.Div({pandoc.Plain(head)}, {class = "listing-caption", ["custom-style"] = "Caption"}),
                     code}, {id = id})
end

local function Image(img)
  if opts.figures and img.src:match("^fig%-[%w_.-]+$") then
    img.src = opts.figures .. "/" .. img.src:sub(5) .. ".png"
    img.attributes["thesisbuild-figure"] = "true"
    return img
  end
end

-- pandoc-crossref's table label inside the caption: ": Caption []{#tbl:x}".
local function caption_span_id(tbl)
  if tbl.identifier ~= "" then return nil end
  for _, block in ipairs(tbl.caption.long) do
    if block.content then
      for i, el in ipairs(block.content) do
        if el.t == "Span" and el.identifier ~= "" and #el.content == 0 then
          tbl.identifier = el.identifier
          block.content:remove(i)
          while #block.content > 0 and block.content[#block.content].t == "Space" do
            block.content:remove(#block.content)
          end
          return tbl
        end
      end
    end
  end
end

-- Identifiers "kind:name" become "kind-name" everywhere, so both spellings are one label.
local function normalise_ids(el)
  if el.identifier and el.identifier ~= "" and norm(el.identifier) ~= el.identifier then
    el.identifier = norm(el.identifier)
    return el
  end
end

return {
  {Math = note_display_math, Blocks = listing_blocks, Para = equation_ids, Table = caption_span_id},
  {Header = normalise_ids, Figure = normalise_ids, Table = normalise_ids, Span = normalise_ids,
   Div = normalise_ids, CodeBlock = normalise_ids},
  {Pandoc = function(doc)
    collect(doc)
    local wanted = doc.meta["thesisbuild-xref-dump"] and pandoc.utils.stringify(doc.meta["thesisbuild-xref-dump"])
    if wanted == "count" then
      return pandoc.Pandoc({pandoc.RawBlock("plain", dump_pieces())})
    end
    if doc.meta["thesisbuild-xref-dump"] then return pandoc.Pandoc({pandoc.RawBlock("plain", dump())}) end
    return doc
  end},
  {Inlines = Inlines, Image = Image},
  {Para = Para, CodeBlock = CodeBlock},
}
